package dev.verity.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.FormatException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
  @Test
  void encode_sortsKeysRecursively_noWhitespace() {
    ObjectNode o = CanonicalJson.object();
    o.put("b", 1);
    o.putObject("a").put("z", true).put("y", "x").putNull("x");
    o.putArray("c").add(3).add(-0L).add(12345678901234L);
    assertThat(CanonicalJson.encode(o).toUtf8String())
        .isEqualTo(
            "{\"a\":{\"x\":null,\"y\":\"x\",\"z\":true},\"b\":1,\"c\":[3,0,12345678901234]}");
  }

  @Test
  void encode_sortsByUtf16CodeUnits() {
    ObjectNode o = CanonicalJson.object();
    o.put("\u00e9", 1).put("z", 2).put("Z", 3).put("\ud83d\ude00", 4).put("\uffff", 5);
    // U+1F600 is a surrogate pair (D83D...) and sorts before U+FFFF, as in RFC 8785.
    assertThat(CanonicalJson.encode(o).toUtf8String())
        .isEqualTo("{\"Z\":3,\"z\":2,\"\u00e9\":1,\"\ud83d\ude00\":4,\"\uffff\":5}");
  }

  @Test
  void encode_escapesOnlyWhatJsonRequires() {
    ObjectNode o = CanonicalJson.object();
    o.put("s", "q\"b\\\b\t\n\f\r\u0001\u001f\u007f/\u2028\u00e9");
    assertThat(CanonicalJson.encode(o).toUtf8String())
        .isEqualTo("{\"s\":\"q\\\"b\\\\\\b\\t\\n\\f\\r\\u0001\\u001f\u007f/\u2028\u00e9\"}");
  }

  @Test
  void encode_fractionsAndLoneSurrogates_rejected() {
    assertThatThrownBy(() -> CanonicalJson.encode(CanonicalJson.object().put("f", 1.5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("integers only");
    assertThatThrownBy(() -> CanonicalJson.encode(CanonicalJson.object().put("s", "\ud800")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired surrogate");
  }

  @Test
  void parseCanonical_nonCanonicalInputs_rejected() {
    for (String s :
        new String[] {"{\"b\":1,\"a\":2}", "{ \"a\":1}", "{\"a\":1.0}", "{\"a\":\"\\u00e9\"}"}) {
      assertThatThrownBy(() -> CanonicalJson.parseCanonical(bytes(s), "doc"))
          .as(s)
          .isInstanceOf(FormatException.class)
          .hasMessageContaining("doc");
    }
  }

  @Test
  void parse_duplicateKeys_trailingData_comments_rejected() {
    assertThatThrownBy(() -> CanonicalJson.parse(bytes("{\"a\":1,\"a\":2}"), "doc"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("Duplicate field 'a'");
    assertThatThrownBy(() -> CanonicalJson.parse(bytes("{} x"), "doc"))
        .isInstanceOf(FormatException.class);
    assertThatThrownBy(() -> CanonicalJson.parse(bytes("{/*c*/}"), "doc"))
        .isInstanceOf(FormatException.class);
  }

  @Property(tries = 300)
  void encode_parseCanonical_roundTrips(
      @ForAll @Size(max = 5) java.util.Map<@Size(max = 6) String, Long> map) throws Exception {
    ObjectNode o = CanonicalJson.object();
    map.forEach(o::put);
    byte[] enc;
    try {
      enc = CanonicalJson.encode(o).toByteArray();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).contains("surrogate");
      return;
    }
    var parsed = CanonicalJson.parseCanonical(enc, "doc");
    assertThat(parsed.size()).isEqualTo(map.size());
    map.forEach((k, v) -> assertThat(parsed.get(k).longValue()).isEqualTo(v));
    assertThat(CanonicalJson.encode(parsed).toByteArray()).isEqualTo(enc);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

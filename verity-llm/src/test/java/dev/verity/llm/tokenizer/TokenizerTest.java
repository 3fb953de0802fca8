package dev.verity.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.engine.ModelLoadException;
import dev.verity.llm.SharedModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
  private static Tokenizer tok512() throws Exception {
    return SharedModels.stories().tokenizer();
  }

  private static String piece(Tokenizer t, int id) {
    return new String(t.piece(id), StandardCharsets.UTF_8);
  }

  @Test
  void encode_startsWithBosAndMergesTheDummyPrefixIntoTheFirstWord() throws Exception {
    Tokenizer t = tok512();
    int[] ids = t.encode("Once upon a time");
    assertThat(ids[0]).isEqualTo(1);
    String[] pieces = Arrays.stream(ids).skip(1).mapToObj(i -> piece(t, i)).toArray(String[]::new);
    assertThat(String.join("", pieces)).isEqualTo(" Once upon a time");
    // Every adjacent pair is left unmerged only because the vocabulary lacks the merge.
    for (int i = 1; i + 1 < ids.length; i++) {
      assertThat(contains(t, piece(t, ids[i]) + piece(t, ids[i + 1]))).isFalse();
    }
  }

  @Test
  void encode_emptyText_isJustBos() throws Exception {
    assertThat(tok512().encode("")).containsExactly(1);
  }

  @Test
  void encode_charactersOutsideTheVocabulary_useByteFallbackTokens() throws Exception {
    Tokenizer t = tok512();
    int[] ids = t.encode("日");
    // " " then the three UTF-8 bytes of 日 (E6 97 A5) as <0xXX> tokens (id = byte + 3).
    assertThat(ids).containsExactly(1, 410, 0xE6 + 3, 0x97 + 3, 0xA5 + 3);
    assertThat(t.decodeAll(ids)).isEqualTo("日");
    // A character that has its own vocabulary entry is one token.
    int[] e = t.encode("é");
    assertThat(e).hasSize(3);
    assertThat(piece(t, e[2])).isEqualTo("é");
  }

  @Test
  void decode_stripsLeadingSpaceOnlyAfterBos() throws Exception {
    Tokenizer t = tok512();
    int the = t.encode("the")[1];
    assertThat(piece(t, the)).isEqualTo(" the");
    assertThat(new String(t.decode(1, the), StandardCharsets.UTF_8)).isEqualTo("the");
    assertThat(new String(t.decode(the, the), StandardCharsets.UTF_8)).isEqualTo(" the");
    assertThat(t.decode(5, 13)).containsExactly((byte) 10); // <0x0A>
  }

  @Property(tries = 300)
  void roundTrip_decodeOfEncode_isTheText(@ForAll("texts") String text) throws Exception {
    Tokenizer t = tok512();
    int[] ids = t.encode(text);
    assertThat(t.decodeAll(ids)).isEqualTo(text);
    assertThat(Arrays.stream(ids).allMatch(i -> i >= 0 && i < 512)).isTrue();
  }

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> words =
        Arbitraries.of(
                "Once", "upon", "a", "time", "Lily", "the", "park", "ball", "happy", "said",
                "\"Hi!\"", ",", ".", "\n", "  ", "café", "日本", "🙂", "\t", "x")
            .list()
            .ofMaxSize(25)
            .map(l -> String.join(" ", l));
    return Arbitraries.oneOf(words, Arbitraries.strings().ofMaxLength(40));
  }

  @Test
  void bytesWithoutFallbackToken_throwNamingTheByte() {
    Tokenizer t =
        new Tokenizer(
            List.of(bytes("<unk>"), bytes("<s>"), bytes("</s>"), bytes(" "), bytes("a")),
            new float[5],
            1,
            2);
    assertThat(t.encode("a a")).containsExactly(1, 3, 4, 3, 4);
    assertThatThrownBy(() -> t.encode("b"))
        .hasMessageContaining("byte 0x62")
        .hasMessageContaining("byte-fallback");
  }

  @Test
  void mergesFollowScoreThenLeftmost() {
    // "abc": "ab" scores higher than "bc", so the result is [ab, c] not [a, bc].
    Tokenizer t =
        new Tokenizer(
            List.of(
                bytes("<unk>"),
                bytes("<s>"),
                bytes("</s>"),
                bytes(" "),
                bytes("a"),
                bytes("b"),
                bytes("c"),
                bytes("ab"),
                bytes("bc"),
                bytes(" ab")),
            new float[] {0, 0, 0, 0, 0, 0, 0, -1, -2, -5},
            1,
            2);
    assertThat(t.encode("abc")).containsExactly(1, 9, 6); // " " + "ab" -> " ab", then "c"
    Tokenizer tie =
        new Tokenizer(
            List.of(
                bytes("<unk>"), bytes("<s>"), bytes("</s>"), bytes(" "), bytes("a"), bytes("aa")),
            new float[] {0, 0, 0, -9, 0, -1},
            1,
            2);
    // "aaa": pairs (0,1) and (1,2) tie; the leftmost merges first.
    assertThat(tie.encode("aaa")).containsExactly(1, 3, 5, 4);
  }

  @Test
  void readFile_truncated_throwsNamingIt(@TempDir Path tmp) throws Exception {
    byte[] full = Files.readAllBytes(SharedModels.tokenizer());
    Path cut = tmp.resolve("cut.bin");
    Files.write(cut, Arrays.copyOf(full, full.length - 10));
    assertThatThrownBy(() -> Llama2cTokenizerFile.read(cut, 512))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("ends before its 512 tokens");
    assertThatThrownBy(() -> Llama2cTokenizerFile.read(SharedModels.tokenizer(), 500))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("bytes after the 500 tokens");
  }

  private static boolean contains(Tokenizer t, String s) {
    for (int i = 0; i < t.vocabSize(); i++) {
      if (piece(t, i).equals(s)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

package dev.verity.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ByteRangeTest {
  static ByteRange parse(String h, long size) {
    return ByteRange.parse(Optional.of(h), size).orElseThrow();
  }

  @Test
  void parse_forms() {
    assertThat(parse("bytes=0-9", 100)).isEqualTo(new ByteRange(0, 9, 100));
    assertThat(parse("bytes=90-", 100)).isEqualTo(new ByteRange(90, 99, 100));
    assertThat(parse("bytes=-10", 100)).isEqualTo(new ByteRange(90, 99, 100));
    assertThat(parse("bytes=50-500", 100)).isEqualTo(new ByteRange(50, 99, 100));
    assertThat(parse("bytes=0-9", 100).contentRange()).isEqualTo("bytes 0-9/100");
    assertThat(ByteRange.parse(Optional.empty(), 100)).isEmpty();
  }

  @Test
  void parse_beyondEnd_is416WithContentRange() {
    assertThatThrownBy(() -> parse("bytes=100-", 100))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> {
              assertThat(e.problem().status()).isEqualTo(416);
              assertThat(e.headers()).containsEntry("Content-Range", "bytes */100");
              assertThat(e.getMessage()).contains("which has 100 bytes");
            });
  }

  @Test
  void parse_malformed_is400() {
    for (String h : new String[] {"items=0-1", "bytes=a-b", "bytes=5-1", "bytes=0-1,3-4"}) {
      assertThatThrownBy(() -> parse(h, 100))
          .isInstanceOfSatisfying(
              ProblemException.class, e -> assertThat(e.problem().status()).isEqualTo(400));
    }
  }
}

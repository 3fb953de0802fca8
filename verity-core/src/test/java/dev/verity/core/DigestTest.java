package dev.verity.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {
  @Test
  void of_abc_matchesFips180Vector() {
    assertThat(Digest.of("abc".getBytes(StandardCharsets.US_ASCII)).toString())
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void parse_roundTrips() {
    String text = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assertThat(Digest.parse(text).toString()).isEqualTo(text);
    assertThat(Digest.parse(text)).isEqualTo(Digest.of(new byte[0]));
  }

  @Test
  void parse_missingPrefix_namesProblem() {
    assertThatThrownBy(() -> Digest.parse("md5:abcd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must start with 'sha256:'");
  }

  @Test
  void parse_upperCaseOrShortHex_rejected() {
    assertThatThrownBy(
            () ->
                Digest.parse(
                    "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"))
        .hasMessageContaining("64 lower-case hex digits");
    assertThatThrownBy(() -> Digest.parse("sha256:abcd"))
        .hasMessageContaining("64 lower-case hex digits");
  }
}

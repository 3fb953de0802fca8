package dev.verity.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VerificationPolicyTest {
  @ParameterizedTest
  @ValueSource(
      strings = {"none", "sample:0.1", "sample:1", "replicate:3", "var:1000:2.5", "var:0.5:0"})
  void parse_canonicalText_roundTrips(String text) {
    assertThat(VerificationPolicy.parse(text).text()).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "None",
        "sample:",
        "sample:0",
        "sample:1.5",
        "sample:.1",
        "sample:0.10",
        "sample:1e-1",
        "sample:+0.1",
        "replicate:1",
        "replicate:03",
        "replicate:65",
        "var:0:1",
        "var:1",
        "var:1:2:3",
        "var:-1:2",
        "sample:0.1 ",
        "tier:gold"
      })
  void parse_invalidText_rejectedWithMessage(String text) {
    assertThatThrownBy(() -> VerificationPolicy.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .isNotBlank();
  }

  @Test
  void parse_sample_exposesProbability() {
    assertThat(VerificationPolicy.parse("sample:0.25"))
        .isEqualTo(new VerificationPolicy.Sample(new java.math.BigDecimal("0.25")));
  }

  @Property(tries = 1000)
  void parse_arbitraryText_onlyIllegalArgument(@ForAll String text) {
    try {
      VerificationPolicy p = VerificationPolicy.parse(text);
      assertThat(p.text()).isEqualTo(text);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}

package dev.verity.hub.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.FormatException;
import dev.verity.core.SignatureVerificationException;
import dev.verity.hub.TestModels;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random and mutated manifests never escape as anything but FormatException on parse and
 * SignatureVerificationException on verify.
 */
class SignedManifestFuzzTest {
  private static final SignedManifest GOLDEN =
      SignedManifest.sign(TestModels.goldenManifest(), TestModels.GOLDEN_KEY);
  private static final byte[] ENVELOPE = GOLDEN.toJson();
  private static final String STATEMENT = GOLDEN.envelope().payload().toUtf8String();

  @Property(tries = 1000)
  void parse_randomBytes_onlyFormatException(@ForAll @Size(max = 400) byte[] input) {
    check(input);
  }

  @Property(tries = 2000)
  void parse_mutatedEnvelope_onlyCheckedExceptions(@ForAll("envelopeMutations") byte[] input) {
    check(input);
  }

  @Property(tries = 2000)
  void parse_resignedMutatedStatement_onlyCheckedExceptions(
      @ForAll("statementMutations") String statement) {
    byte[] json =
        dev.verity.core.dsse.DsseEnvelope.sign(
                SignedManifest.PAYLOAD_TYPE,
                dev.verity.core.Bytes.utf8(statement),
                TestModels.GOLDEN_KEY)
            .toJson()
            .toByteArray();
    check(json);
  }

  @Provide
  Arbitrary<byte[]> envelopeMutations() {
    return Arbitraries.integers()
        .between(0, ENVELOPE.length - 1)
        .flatMap(
            p ->
                Arbitraries.bytes()
                    .map(
                        v -> {
                          byte[] b = ENVELOPE.clone();
                          b[p] = v;
                          return b;
                        }));
  }

  @Provide
  Arbitrary<String> statementMutations() {
    Arbitrary<Integer> pos = Arbitraries.integers().between(0, STATEMENT.length() - 1);
    Arbitrary<String> replace =
        pos.flatMap(
            p ->
                Arbitraries.of(
                        "\"",
                        "{",
                        "}",
                        "[",
                        "]",
                        ",",
                        ":",
                        "\\",
                        "0",
                        "-1",
                        "null",
                        "/",
                        "..",
                        "\u0000",
                        "é",
                        "true",
                        "9999999999999999999999",
                        "1.5",
                        "")
                    .map(s -> STATEMENT.substring(0, p) + s + STATEMENT.substring(p + 1)));
    return replace;
  }

  private static void check(byte[] input) {
    SignedManifest sm;
    try {
      sm = SignedManifest.parse(input);
    } catch (FormatException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    try {
      sm.verify();
    } catch (SignatureVerificationException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
    // Whatever parsed has a consistent digest and round-trips.
    assertThat(sm.digest()).isEqualTo(dev.verity.core.Digest.of(sm.envelope().payload()));
    assertThat(new String(sm.toJson(), StandardCharsets.UTF_8)).isNotEmpty();
  }
}

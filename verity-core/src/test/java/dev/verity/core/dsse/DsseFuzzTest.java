package dev.verity.core.dsse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Bytes;
import dev.verity.core.FormatException;
import dev.verity.core.SignatureVerificationException;
import dev.verity.core.key.SigningKey;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Random input never makes the envelope parser fail with anything but FormatException. */
class DsseFuzzTest {
  private static final SigningKey KEY = DsseEnvelopeTest.GOLDEN;
  private static final byte[] VALID =
      DsseEnvelope.sign("application/vnd.in-toto+json", Bytes.utf8("{\"a\":1}"), KEY)
          .toJson()
          .toByteArray();

  @Property(tries = 2000)
  void parse_randomBytes_onlyFormatException(@ForAll @Size(max = 300) byte[] input) {
    parseOrFormatException(input);
  }

  @Property(tries = 3000)
  void parse_mutatedValidEnvelope_onlyFormatExceptionOrVerifiableResult(
      @ForAll("mutations") byte[] input) {
    DsseEnvelope env = parseOrFormatException(input);
    if (env != null) {
      try {
        env.verify(List.of(KEY.verifyingKey()));
      } catch (SignatureVerificationException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
    }
  }

  @Property(tries = 500)
  void toJson_parse_roundTrips(
      @ForAll @Size(max = 40) String payloadType, @ForAll @Size(max = 200) byte[] payload) {
    DsseEnvelope env = DsseEnvelope.sign(payloadType, Bytes.copyOf(payload), KEY);
    DsseEnvelope back;
    try {
      back = DsseEnvelope.parse(env.toJson());
    } catch (FormatException e) {
      throw new AssertionError(e);
    } catch (IllegalArgumentException e) {
      // Strings with unpaired surrogates cannot be encoded as JSON text.
      assertThat(e.getMessage()).contains("surrogate");
      return;
    }
    assertThat(back).isEqualTo(env);
  }

  @Provide
  Arbitrary<byte[]> mutations() {
    Arbitrary<Integer> pos = Arbitraries.integers().between(0, VALID.length - 1);
    Arbitrary<Byte> value = Arbitraries.bytes();
    Arbitrary<byte[]> flip =
        pos.flatMap(
            p ->
                value.map(
                    v -> {
                      byte[] b = VALID.clone();
                      b[p] = v;
                      return b;
                    }));
    Arbitrary<byte[]> truncate = pos.map(p -> java.util.Arrays.copyOf(VALID, p));
    Arbitrary<byte[]> delete =
        pos.map(
            p -> {
              byte[] b = new byte[VALID.length - 1];
              System.arraycopy(VALID, 0, b, 0, p);
              System.arraycopy(VALID, p + 1, b, p, VALID.length - p - 1);
              return b;
            });
    Arbitrary<byte[]> insert =
        pos.flatMap(
            p ->
                Arbitraries.of("\"", "{", "}", "[", "]", ",", ":", "\\", "0", "null", "\u00e9")
                    .map(
                        s -> {
                          byte[] ins = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                          byte[] b = new byte[VALID.length + ins.length];
                          System.arraycopy(VALID, 0, b, 0, p);
                          System.arraycopy(ins, 0, b, p, ins.length);
                          System.arraycopy(VALID, p, b, p + ins.length, VALID.length - p);
                          return b;
                        }));
    return Arbitraries.oneOf(flip, truncate, delete, insert);
  }

  private static DsseEnvelope parseOrFormatException(byte[] input) {
    try {
      return DsseEnvelope.parse(input);
    } catch (FormatException e) {
      assertThat(e.getMessage()).isNotBlank();
      return null;
    }
  }
}

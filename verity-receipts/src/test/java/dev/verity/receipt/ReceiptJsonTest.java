package dev.verity.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ReceiptJsonTest {
  static final String GOLDEN = ReceiptJson.toJson(ReceiptFixtures.goldenSigned());

  static ObjectNode golden() {
    return ReceiptJson.toNode(ReceiptFixtures.goldenSigned());
  }

  static String with(String field, Object value) {
    ObjectNode o = golden();
    if (value == null) {
      o.remove(field);
    } else if (value instanceof Long l) {
      o.put(field, l);
    } else if (value instanceof Double d) {
      o.put(field, d);
    } else {
      o.put(field, value.toString());
    }
    return o.toString();
  }

  @Test
  void parse_missingField_namesIt() {
    assertThatThrownBy(() -> ReceiptJson.parse(with("requestId", null)))
        .isInstanceOf(ReceiptFormatException.class)
        .hasMessageContaining("missing field 'requestId'");
  }

  @Test
  void parse_unknownField_namesIt() {
    ObjectNode o = golden();
    o.put("extra", 1);
    assertThatThrownBy(() -> ReceiptJson.parse(o.toString()))
        .hasMessageContaining("unknown field 'extra'");
  }

  @Test
  void parse_duplicateField_rejected() {
    String dup = GOLDEN.replaceFirst("\\{", "{\"seed\":\"1\",");
    assertThatThrownBy(() -> ReceiptJson.parse(dup))
        .isInstanceOf(ReceiptFormatException.class)
        .hasMessageContaining("Duplicate");
  }

  @Test
  void parse_wrongTypes_namedPerField() {
    assertThatThrownBy(() -> ReceiptJson.parse(with("timeMillis", "1")))
        .hasMessageContaining("'timeMillis' must be an integer");
    assertThatThrownBy(() -> ReceiptJson.parse(with("timeMillis", 1.5)))
        .hasMessageContaining("'timeMillis' must be an integer");
    assertThatThrownBy(() -> ReceiptJson.parse(with("seed", 7L)))
        .hasMessageContaining("'seed' must be a string");
    assertThatThrownBy(() -> ReceiptJson.parse(with("seed", "07")))
        .hasMessageContaining("leading zeros");
    assertThatThrownBy(() -> ReceiptJson.parse(with("seed", "18446744073709551616")))
        .hasMessageContaining("2^64");
    assertThatThrownBy(() -> ReceiptJson.parse(with("modelDigest", "sha256:00")))
        .hasMessageContaining("'modelDigest'");
    assertThatThrownBy(() -> ReceiptJson.parse(with("numericMode", "BITWISE")))
        .hasMessageContaining("'numericMode'");
    assertThatThrownBy(() -> ReceiptJson.parse(with("policy", "sample:0.10")))
        .hasMessageContaining("'policy'")
        .hasMessageContaining("trailing zeros");
    assertThatThrownBy(
            () -> ReceiptJson.parse(with("node", "0xc4674e5ba2422f6e70f7122574745343C8179859")))
        .hasMessageContaining("EIP-55");
    assertThatThrownBy(() -> ReceiptJson.parse(with("chainId", 0L)))
        .hasMessageContaining("'chainId'");
    assertThatThrownBy(() -> ReceiptJson.parse(with("signature", "0x00")))
        .hasMessageContaining("'signature'");
    assertThatThrownBy(() -> ReceiptJson.parse(with("requestId", "has space")))
        .hasMessageContaining("requestId");
  }

  @Test
  void parse_notJsonOrTrailingGarbage_rejected() {
    assertThatThrownBy(() -> ReceiptJson.parse("")).isInstanceOf(ReceiptFormatException.class);
    assertThatThrownBy(() -> ReceiptJson.parse("[]")).hasMessageContaining("JSON object");
    assertThatThrownBy(() -> ReceiptJson.parse(GOLDEN + "{}"))
        .isInstanceOf(ReceiptFormatException.class);
    assertThatThrownBy(() -> ReceiptJson.parse("x".repeat(10_000)))
        .hasMessageContaining("longer than");
  }

  @Test
  void parse_traceRootWithoutLeaves_rejected() {
    assertThatThrownBy(() -> ReceiptJson.parse(with("traceLeaves", 0L)))
        .hasMessageContaining("traceRoot must be zero exactly when traceLeaves is 0");
  }

  @Property(tries = 1000)
  void parse_mutatedGolden_failsOnlyWithFormatExceptionOrStaysVerifiable(
      @ForAll @IntRange(min = 0, max = 2000) int pos,
      @ForAll @IntRange(min = 0, max = 2) int op,
      @ForAll char c) {
    StringBuilder sb = new StringBuilder(GOLDEN);
    int p = pos % sb.length();
    switch (op) {
      case 0 -> sb.deleteCharAt(p);
      case 1 -> sb.insert(p, c);
      default -> sb.setCharAt(p, c);
    }
    SignedReceipt parsed;
    try {
      parsed = ReceiptJson.parse(sb.toString());
    } catch (ReceiptFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    // Whitespace edits parse to the same receipt; any other accepted change must break the
    // signature.
    if (!parsed.equals(ReceiptFixtures.goldenSigned())) {
      assertThatThrownBy(parsed::verify).isInstanceOf(ReceiptSignatureException.class);
    }
  }

  @Property(tries = 500)
  void parse_arbitraryText_neverThrowsAnythingButFormatException(@ForAll String text) {
    try {
      ReceiptJson.parse(text);
    } catch (ReceiptFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<SignedReceipt> receipts() {
    Arbitrary<Digest> digests =
        Arbitraries.bytes().array(byte[].class).ofSize(32).map(b -> new Digest(Bytes.copyOf(b)));
    Arbitrary<String> tokens =
        Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(64);
    Arbitrary<VerificationPolicy> policies =
        Arbitraries.oneOf(
            Arbitraries.just(VerificationPolicy.NONE),
            Arbitraries.integers()
                .between(1, 1000)
                .map(i -> new VerificationPolicy.Sample(BigDecimal.valueOf(i, 3))),
            Arbitraries.integers().between(2, 64).map(VerificationPolicy.Replicate::new),
            Arbitraries.integers()
                .between(1, 100000)
                .map(
                    i ->
                        new VerificationPolicy.ValueAtRisk(
                            BigDecimal.valueOf(i, 2), BigDecimal.valueOf(i % 7, 1))));
    // A receipt either has no trace (zero root, no leaves) or a non-zero root over some leaves.
    Arbitrary<Digest> traceRoots =
        Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.just(Receipt.NO_TRACE)),
            Tuple.of(3, digests.filter(d -> !d.equals(Receipt.NO_TRACE))));
    return Combinators.combine(
            digests,
            tokens,
            tokens,
            digests,
            traceRoots,
            Arbitraries.longs().between(1, Receipt.MAX_SAFE),
            Arbitraries.longs(),
            policies)
        .as(
            (model, engineId, requestId, input, trace, time, seed, policy) ->
                SignedReceipt.sign(
                    Receipt.builder()
                        .model(model)
                        .engine(
                            engineId,
                            "1.0",
                            model,
                            time % 2 == 0 ? NumericMode.BITWISE : NumericMode.TOLERANCE)
                        .input(input)
                        .output(input)
                        .trace(trace, trace.equals(Receipt.NO_TRACE) ? 0 : time)
                        .node(ReceiptFixtures.goldenKey().address())
                        .requestId(requestId)
                        .timeMillis(time)
                        .policy(policy)
                        .seed(seed)
                        .build(),
                    new ReceiptDomain(1 + (time % 100_000), ReceiptFixtures.otherKey().address()),
                    ReceiptFixtures.goldenKey()));
  }

  /**
   * A receipt without a trace (zero root, no leaves) round-trips and verifies; the generator's
   * all-zero edge-case root over a positive leaf count is refused when built.
   */
  @Example
  void untracedReceipt_roundTrips_zeroRootOverLeaves_refused() throws Exception {
    Digest zero = Receipt.NO_TRACE;
    Receipt.Builder b =
        Receipt.builder()
            .model(zero)
            .engine("!", "1.0", zero, NumericMode.TOLERANCE)
            .input(zero)
            .output(zero)
            .node(ReceiptFixtures.goldenKey().address())
            .requestId("!")
            .timeMillis(1)
            .policy(VerificationPolicy.NONE)
            .seed(0);
    jsonAndCanonicalBytes_roundTrip_andVerify(
        SignedReceipt.sign(
            b.trace(zero, 0).build(), ReceiptDomain.DEVNET, ReceiptFixtures.goldenKey()));
    assertThatThrownBy(() -> b.trace(zero, 1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("traceRoot must be zero exactly when traceLeaves is 0");
  }

  @Property(tries = 150)
  void jsonAndCanonicalBytes_roundTrip_andVerify(@ForAll("receipts") SignedReceipt r)
      throws Exception {
    assertThat(ReceiptJson.parse(ReceiptJson.toJson(r))).isEqualTo(r);
    assertThat(ReceiptCodec.decode(r.canonicalBytes())).isEqualTo(r);
    r.verify();
  }

  @Property(tries = 1000)
  void decode_truncatedOrMutatedBytes_failsCleanlyOrBreaksSignature(
      @ForAll @IntRange(min = 0, max = 600) int pos, @ForAll byte value) {
    byte[] b = ReceiptFixtures.goldenSigned().canonicalBytes().toByteArray();
    int p = pos % (b.length + 1);
    byte[] mutated = p == b.length ? java.util.Arrays.copyOf(b, p / 2) : b.clone();
    if (p < b.length) {
      mutated[p] = value;
    }
    SignedReceipt d;
    try {
      d = ReceiptCodec.decode(Bytes.copyOf(mutated));
    } catch (ReceiptFormatException e) {
      return;
    }
    if (!d.equals(ReceiptFixtures.goldenSigned())) {
      assertThatThrownBy(d::verify).isInstanceOf(ReceiptSignatureException.class);
    }
  }
}

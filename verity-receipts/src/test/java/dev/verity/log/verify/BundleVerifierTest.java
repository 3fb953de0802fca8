package dev.verity.log.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.log.ConsistencyProof;
import dev.verity.log.InclusionProof;
import dev.verity.log.TestKeys;
import dev.verity.log.TransparencyLog;
import dev.verity.log.bundle.BundleJson;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.bundle.ReceiptLog;
import dev.verity.log.note.VerifierKey;
import dev.verity.receipt.BatchProof;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptFixtures;
import dev.verity.receipt.ReceiptFormatException;
import dev.verity.receipt.SignedReceipt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BundleVerifierTest {
  static String resource(String name) throws IOException {
    try (InputStream in = BundleVerifierTest.class.getResourceAsStream("/bundles/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static VerifyOptions strict() throws IOException {
    return VerifyOptions.trusting(VerifierKey.parse(resource("log.vkey").strip()))
        .witnesses(List.of(VerifierKey.parse(resource("witness.vkey").strip())), 1)
        .previouslySeen(resource("previous-checkpoint.txt"), BundleFixtures.previousToGolden())
        .domain(ReceiptDomain.DEVNET);
  }

  @Test
  void goldenBundle_fileMatchesCode_andVerifies() throws Exception {
    String json = resource("golden-bundle.json");
    assertThat(BundleJson.toJson(BundleFixtures.golden())).isEqualTo(json);
    ReceiptBundle b = BundleJson.parse(json);
    VerifiedReceipt v = BundleVerifier.verify(b, strict());
    assertThat(v.logIndex()).isEqualTo(3);
    assertThat(v.checkpoint().size()).isEqualTo(10);
    assertThat(v.witnesses()).containsExactly("witness.verity.test/w1");
    assertThat(v.receipt()).isEqualTo(ReceiptFixtures.goldenSigned());
  }

  static Stream<String> negativeNames() {
    return BundleFixtures.expectations().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("negativeNames")
  void verify_negativeFixture_throwsItsSpecificException(String name) throws Exception {
    ReceiptBundle b = BundleJson.parse(resource("negative/" + name + ".json"));
    assertThat(BundleJson.toJson(b))
        .isEqualTo(BundleJson.toJson(BundleFixtures.negatives().get(name)));
    VerifyOptions opts = strict();
    if (name.equals("inconsistent-with-previous")) {
      opts.previouslySeen(resource("previous-checkpoint.txt"), BundleFixtures.forkedProof());
    }
    assertThatThrownBy(() -> BundleVerifier.verify(b, opts))
        .isInstanceOf(BundleFixtures.expectations().get(name))
        .message()
        .isNotBlank();
  }

  @Test
  void verify_inconsistentFork_passesWithoutHistoryButFailsWithIt() throws Exception {
    ReceiptBundle forked = BundleJson.parse(resource("negative/inconsistent-with-previous.json"));
    VerifyOptions noHistory =
        VerifyOptions.trusting(TestKeys.logSigner().verifierKey())
            .witnesses(List.of(BundleFixtures.WITNESS.verifierKey()), 1);
    BundleVerifier.verify(forked, noHistory);
    VerifyOptions noProof =
        VerifyOptions.trusting(TestKeys.logSigner().verifierKey())
            .previouslySeen(resource("previous-checkpoint.txt"), null);
    assertThatThrownBy(() -> BundleVerifier.verify(forked, noProof))
        .isInstanceOf(InconsistentCheckpointException.class)
        .hasMessageContaining("no consistency proof");
  }

  @Test
  void verify_shortForm_requiresEveryListedWitness() throws Exception {
    ReceiptBundle g = BundleFixtures.golden();
    BundleVerifier.verify(
        g, TestKeys.logSigner().verifierKey(), List.of(BundleFixtures.WITNESS.verifierKey()));
    BundleVerifier.verify(g, TestKeys.logSigner().verifierKey(), List.of());
    assertThatThrownBy(
            () ->
                BundleVerifier.verify(
                    g,
                    TestKeys.logSigner().verifierKey(),
                    List.of(
                        BundleFixtures.WITNESS.verifierKey(),
                        TestKeys.witnessSigner("witness.verity.test/w2").verifierKey())))
        .isInstanceOf(MissingCosignatureException.class)
        .hasMessageContaining("1 valid witness cosignatures, 2 required")
        .hasMessageContaining("witness.verity.test/w2");
  }

  @Test
  void verify_wrongDomain_rejected() throws Exception {
    VerifyOptions opts =
        VerifyOptions.trusting(TestKeys.logSigner().verifierKey())
            .domain(new ReceiptDomain(1, ReceiptDomain.DEVNET.verifyingContract()));
    assertThatThrownBy(() -> BundleVerifier.verify(BundleFixtures.golden(), opts))
        .isInstanceOf(BadReceiptSignatureException.class)
        .hasMessageContaining("expected domain");
  }

  @Test
  void verify_reexecutionHookFailure_reported() {
    VerifyOptions opts =
        VerifyOptions.trusting(TestKeys.logSigner().verifierKey())
            .reexecuteWith(
                r -> {
                  throw new IllegalStateException("output differs at tensor logits");
                });
    assertThatThrownBy(() -> BundleVerifier.verify(BundleFixtures.golden(), opts))
        .isInstanceOf(ReexecutionFailedException.class)
        .hasMessageContaining("output differs at tensor logits");
  }

  @Test
  void verify_previousCheckpointLarger_usesProofTheOtherWay() throws Exception {
    // A verifier that already saw size 10 checks an older bundle proven at size 7.
    var t = BundleFixtures.tree("filler ");
    ReceiptBundle old =
        new ReceiptBundle(
            ReceiptFixtures.goldenSigned(),
            t.inclusionProof(3, 7),
            BundleFixtures.previousCheckpoint());
    VerifyOptions opts =
        VerifyOptions.trusting(TestKeys.logSigner().verifierKey())
            .previouslySeen(BundleFixtures.golden().checkpoint(), t.consistencyProof(7, 10));
    assertThat(BundleVerifier.verify(old, opts).checkpoint().size()).isEqualTo(7);
    VerifyOptions wrongSizes =
        VerifyOptions.trusting(TestKeys.logSigner().verifierKey())
            .previouslySeen(BundleFixtures.golden().checkpoint(), t.consistencyProof(6, 10));
    assertThatThrownBy(() -> BundleVerifier.verify(old, wrongSizes))
        .isInstanceOf(InconsistentCheckpointException.class)
        .hasMessageContaining("needed 7 to 10");
  }

  @Property(tries = 600)
  void parse_mutatedGoldenBundle_failsCleanlyOrVerificationCatchesIt(
      @ForAll @IntRange(min = 0, max = 5000) int pos,
      @ForAll @IntRange(min = 0, max = 2) int op,
      @ForAll char c)
      throws Exception {
    String json = BundleJson.toJson(BundleFixtures.golden());
    StringBuilder sb = new StringBuilder(json);
    int p = pos % sb.length();
    switch (op) {
      case 0 -> sb.deleteCharAt(p);
      case 1 -> sb.insert(p, c);
      default -> sb.setCharAt(p, c);
    }
    ReceiptBundle b;
    try {
      b = BundleJson.parse(sb.toString());
    } catch (ReceiptFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    VerifyOptions opts =
        VerifyOptions.trusting(TestKeys.logSigner().verifierKey())
            .witnesses(List.of(BundleFixtures.WITNESS.verifierKey()), 1);
    try {
      BundleVerifier.verify(b, opts);
      // Accepted: must be the golden content (JSON whitespace changes only).
      assertThat(b.receipt()).isEqualTo(BundleFixtures.golden().receipt());
      assertThat(b.inclusion()).isEqualTo(BundleFixtures.golden().inclusion());
    } catch (BundleVerificationException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 500)
  void parse_arbitraryInclusionProofArray_onlyFormatErrorsOrNotInLog(
      @ForAll("proofArrays") List<String> hashes) throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode o =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            dev.verity.receipt.StrictJson.MAPPER.readTree(
                BundleJson.toJson(BundleFixtures.golden()));
    com.fasterxml.jackson.databind.node.ArrayNode arr = o.putArray("inclusionProof");
    hashes.forEach(arr::add);
    ReceiptBundle b;
    try {
      b = BundleJson.parse(o.toString());
    } catch (ReceiptFormatException e) {
      assertThat(e.getMessage()).contains("inclusionProof");
      return;
    }
    assertThatThrownBy(
            () ->
                BundleVerifier.verify(
                    b, VerifyOptions.trusting(TestKeys.logSigner().verifierKey())))
        .isInstanceOf(NotInLogException.class);
  }

  /**
   * Proof arrays that parse often enough to reach verification: mostly short lists drawn from the
   * golden path's hashes and well-formed random hashes, sometimes arbitrary strings or a list
   * longer than any tree's path; never the golden path itself.
   */
  @Provide
  Arbitrary<List<String>> proofArrays() {
    List<String> golden =
        BundleFixtures.golden().inclusion().path().stream().map(Bytes::toBase64).toList();
    Arbitrary<String> hash =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.of(golden)),
            Tuple.of(
                2,
                Arbitraries.bytes()
                    .array(byte[].class)
                    .ofSize(32)
                    .map(b -> Bytes.copyOf(b).toBase64())),
            Tuple.of(1, Arbitraries.strings().ofMaxLength(60)));
    return Arbitraries.frequencyOf(
            Tuple.of(4, hash.list().ofMaxSize(8)),
            Tuple.of(1, hash.list().ofMaxSize(InclusionProof.MAX_PATH + 1)))
        .filter(l -> !l.equals(golden));
  }

  @TempDir Path dir;

  @Test
  void receiptLog_appendReturnsVerifiableBundle_endToEnd() throws Exception {
    try (ReceiptLog log =
        ReceiptLog.open(dir, TransparencyLog.Options.defaults(TestKeys.logSigner()))) {
      for (int i = 0; i < 5; i++) {
        log.log().append(("other " + i).getBytes(StandardCharsets.UTF_8)).join();
      }
      SignedReceipt r = ReceiptFixtures.goldenSigned();
      ReceiptBundle b = log.append(r);
      assertThat(b.logIndex()).isEqualTo(5);
      BundleVerifier.verify(
          BundleJson.parse(BundleJson.toJson(b)),
          VerifyOptions.trusting(TestKeys.logSigner().verifierKey()).domain(ReceiptDomain.DEVNET));
      // Later retrieval proves against a newer checkpoint; a consistency proof links both.
      log.log().append("later".getBytes(StandardCharsets.UTF_8)).join();
      ReceiptBundle later = log.bundle(5);
      ConsistencyProof cp = log.log().consistencyProof(6, 7);
      BundleVerifier.verify(
          later,
          VerifyOptions.trusting(TestKeys.logSigner().verifierKey())
              .previouslySeen(b.checkpoint(), cp));
    }
  }

  @Test
  void receiptLog_batchSignedReceipts_verifyInBundles_andTamperedBatchIsNamed() throws Exception {
    try (ReceiptLog log =
        ReceiptLog.open(dir, TransparencyLog.Options.defaults(TestKeys.logSigner()))) {
      VerifyOptions options =
          VerifyOptions.trusting(TestKeys.logSigner().verifierKey()).domain(ReceiptDomain.DEVNET);
      List<SignedReceipt> batch = ReceiptFixtures.goldenBatch();
      for (SignedReceipt r : batch) {
        ReceiptBundle b = BundleJson.parse(BundleJson.toJson(log.append(r)));
        assertThat(b.receipt().batch()).isPresent();
        assertThat(BundleVerifier.verify(b, options).receipt()).isEqualTo(r);
      }
      // A batch proof pointing at another index: the rebuilt root is not what the node signed.
      SignedReceipt r3 = batch.get(3);
      SignedReceipt moved =
          new SignedReceipt(
              r3.receipt(),
              r3.domain(),
              r3.signature(),
              new BatchProof(5, 2, r3.batch().orElseThrow().path()));
      ReceiptBundle b = log.append(moved);
      assertThatThrownBy(() -> BundleVerifier.verify(b, options))
          .isInstanceOf(BadReceiptSignatureException.class)
          .hasMessageContaining("batch signature recovers")
          .hasMessageContaining("index 2 of 5")
          .hasMessageContaining(
              "receipt node is " + ReceiptFixtures.goldenKey().address().toChecksumString());
    }
  }
}

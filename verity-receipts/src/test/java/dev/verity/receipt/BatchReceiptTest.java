package dev.verity.receipt;

import static dev.verity.receipt.ReceiptGoldenTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.log.MemoryHashStore;
import dev.verity.log.MerkleTree;
import dev.verity.log.Rfc9162;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch-signed (format 2) receipts: golden vectors in src/test/resources/receipts (golden-batch-*),
 * one negative fixture per failure, and properties over random batches.
 */
class BatchReceiptTest {
  static Properties vectors() throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(resource("golden-batch-vectors.properties")));
    return p;
  }

  @Test
  void goldenBatch_hashesSignatureAndBytes_matchPinnedVectors() throws Exception {
    Properties v = vectors();
    List<SignedReceipt> batch = ReceiptFixtures.goldenBatch();
    SignedReceipt first = batch.getFirst();
    Bytes root = ReceiptFixtures.goldenBatchRoot();
    assertThat(BatchProof.TYPEHASH.toHex()).isEqualTo(v.getProperty("batchTypeHash"));
    assertThat(first.domain().separator().toHex()).isEqualTo(v.getProperty("domainSeparator"));
    assertThat(batch).hasSize(Integer.parseInt(v.getProperty("size")));
    assertThat(root.toHex()).isEqualTo(v.getProperty("root"));
    assertThat(BatchProof.structHash(root, 5).toHex()).isEqualTo(v.getProperty("batchStructHash"));
    assertThat(BatchProof.signingDigest(first.domain(), root, 5).toHex())
        .isEqualTo(v.getProperty("batchDigest"));
    assertThat(first.receipt().node().toChecksumString()).isEqualTo(v.getProperty("node"));
    for (int i = 0; i < batch.size(); i++) {
      SignedReceipt r = batch.get(i);
      assertThat(r.signature().toBytes().toHex()).isEqualTo(v.getProperty("signature"));
      assertThat(r.receipt().signingDigest(r.domain()).toHex())
          .isEqualTo(v.getProperty("digest." + i));
      assertThat(
              String.join(",", r.batch().orElseThrow().path().stream().map(Bytes::toHex).toList()))
          .isEqualTo(v.getProperty("path." + i));
      assertThat(r.batch().orElseThrow().index()).isEqualTo(i);
      assertThat(r.canonicalBytes().toHex()).isEqualTo(v.getProperty("canonical." + i));
      assertThat(r.leafHash().toHex()).isEqualTo(v.getProperty("leafHash." + i));
      assertThat(ReceiptCodec.decode(Bytes.fromHex(v.getProperty("canonical." + i)))).isEqualTo(r);
      r.verify();
    }
  }

  @Test
  void goldenBatch_rootIsTheRfc9162TreeOfTheReceiptDigests() throws Exception {
    // Recomputed by hand from the spec: leaves SHA-256(0x00 || d_i), nodes SHA-256(0x01 || l || r),
    // for 5 leaves MTH = node(node(node(l0, l1), node(l2, l3)), l4).
    Properties v = vectors();
    byte[][] leaf = new byte[5][];
    for (int i = 0; i < 5; i++) {
      leaf[i] = Rfc9162.leafHash(Bytes.fromHex(v.getProperty("digest." + i)).toByteArray());
    }
    byte[] root =
        Rfc9162.nodeHash(
            Rfc9162.nodeHash(
                Rfc9162.nodeHash(leaf[0], leaf[1]), Rfc9162.nodeHash(leaf[2], leaf[3])),
            leaf[4]);
    assertThat(Bytes.copyOf(root).toHex()).isEqualTo(v.getProperty("root"));
    // Receipt 4 hangs directly under the root: its path is the one left subtree hash.
    assertThat(v.getProperty("path.4"))
        .isEqualTo(
            Bytes.copyOf(
                    Rfc9162.nodeHash(
                        Rfc9162.nodeHash(leaf[0], leaf[1]), Rfc9162.nodeHash(leaf[2], leaf[3])))
                .toHex());
    assertThat(v.getProperty("canonical.3")).startsWith("76726302");
  }

  @Test
  void goldenBatchJson_parsesToGoldenReceipts_andVerifies() throws Exception {
    List<SignedReceipt> batch = ReceiptFixtures.goldenBatch();
    for (int i = 0; i < batch.size(); i++) {
      String json = resource("golden-batch-receipt-" + i + ".json");
      SignedReceipt parsed = ReceiptJson.parse(json);
      assertThat(parsed).isEqualTo(batch.get(i));
      assertThat(ReceiptJson.toJson(parsed) + "\n").isEqualTo(json);
      parsed.verify();
    }
  }

  static Stream<String> negativeFixtures() {
    return ReceiptFixtures.batchNegatives().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("negativeFixtures")
  void verify_negativeBatchFixture_throws(String name) throws Exception {
    SignedReceipt bad = ReceiptJson.parse(resource("negative/" + name + ".json"));
    assertThat(bad).isEqualTo(ReceiptFixtures.batchNegatives().get(name));
    assertThatThrownBy(bad::verify)
        .isInstanceOf(ReceiptSignatureException.class)
        .hasMessageContaining("bad receipt signature");
    // The canonical bytes carry the same (bad) receipt.
    assertThat(ReceiptCodec.decode(bad.canonicalBytes())).isEqualTo(bad);
  }

  @Test
  void verify_batchSignatureFromOtherKey_namesBothAddressesAndThePosition() throws Exception {
    SignedReceipt bad = ReceiptJson.parse(resource("negative/batch-wrong-signer.json"));
    assertThatThrownBy(bad::verify)
        .hasMessageContaining(
            "batch signature recovers " + ReceiptFixtures.otherKey().address().toChecksumString())
        .hasMessageContaining(
            "receipt node is " + ReceiptFixtures.goldenKey().address().toChecksumString())
        .hasMessageContaining("index 3 of 5");
  }

  @Test
  void verify_highSBatchSignature_namesMalleability() throws Exception {
    assertThatThrownBy(ReceiptJson.parse(resource("negative/batch-high-s.json"))::verify)
        .hasMessageContaining("batch signature")
        .hasMessageContaining("high-s");
  }

  @Test
  void verify_wrongIndex_rebuildsAnotherRoot() throws Exception {
    assertThatThrownBy(ReceiptJson.parse(resource("negative/batch-wrong-index.json"))::verify)
        .hasMessageContaining("index 2 of 5")
        .hasMessageContaining("receipt node is");
  }

  static Stream<String> malformedFixtures() {
    return ReceiptFixtures.batchMalformed().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("malformedFixtures")
  void parse_malformedBatchFixture_namesTheField(String name) throws Exception {
    String json = resource("malformed/" + name + ".json");
    assertThat(json).isEqualTo(ReceiptFixtures.batchMalformed().get(name)[0] + "\n");
    assertThatThrownBy(() -> ReceiptJson.parse(json))
        .isInstanceOf(ReceiptFormatException.class)
        .hasMessageContaining(ReceiptFixtures.batchMalformed().get(name)[1]);
  }

  @Test
  void parse_batchNotAnObject_namesIt() {
    var o = ReceiptJson.toNode(ReceiptFixtures.goldenBatch().get(3));
    o.put("batch", "3/5");
    assertThatThrownBy(() -> ReceiptJson.parse(o.toString()))
        .hasMessageContaining("field 'batch' must be a JSON object");
  }

  @Test
  void json_batchKeySitsRightBeforeSignature() {
    List<String> keys = new ArrayList<>();
    ReceiptJson.toNode(ReceiptFixtures.goldenBatch().get(0))
        .fieldNames()
        .forEachRemaining(keys::add);
    assertThat(keys.subList(keys.size() - 2, keys.size())).containsExactly("batch", "signature");
  }

  /** Canonical bytes of golden receipt 3 (path of 3 hashes) and where its batch fields sit. */
  static byte[] golden3() {
    return ReceiptFixtures.goldenBatch().get(3).canonicalBytes().toByteArray();
  }

  static int batchFieldsOffset(byte[] b) {
    return b.length - 65 - 3 * 32 - 1 - 8;
  }

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  @Test
  void decode_batchLimitViolations_rejectedWithReason() {
    byte[] b = golden3();
    int off = batchFieldsOffset(b);
    assertThat(Arrays.copyOfRange(b, off, off + 9))
        .containsExactly(0, 0, 0, 5, 0, 0, 0, 3, 3); // size 5, index 3, 3 hashes

    byte[] size0 = b.clone();
    putInt(size0, off, 0);
    assertThatThrownBy(() -> ReceiptCodec.decode(Bytes.copyOf(size0)))
        .isInstanceOf(ReceiptFormatException.class)
        .hasMessageContaining("batch size must be in [1, 65536], got 0");

    byte[] sizeHuge = b.clone();
    putInt(sizeHuge, off, 65537);
    assertThatThrownBy(() -> ReceiptCodec.decode(Bytes.copyOf(sizeHuge)))
        .hasMessageContaining("got 65537");

    byte[] indexTooBig = b.clone();
    putInt(indexTooBig, off + 4, 5);
    assertThatThrownBy(() -> ReceiptCodec.decode(Bytes.copyOf(indexTooBig)))
        .hasMessageContaining("batch index 5 is not below batch size 5");

    byte[] negativeIndex = b.clone();
    putInt(negativeIndex, off + 4, -1);
    assertThatThrownBy(() -> ReceiptCodec.decode(Bytes.copyOf(negativeIndex)))
        .hasMessageContaining("batch index 4294967295");

    byte[] shortPath = b.clone();
    shortPath[off + 8] = 2; // the third hash then reads as signature, leaving 32 trailing bytes
    assertThatThrownBy(() -> ReceiptCodec.decode(Bytes.copyOf(shortPath)))
        .isInstanceOf(ReceiptFormatException.class);

    byte[] wrongLength = Arrays.copyOf(b, b.length + 32);
    wrongLength[off + 8] = 4; // one hash more than index 3 of 5 has
    System.arraycopy(b, off + 9 + 96, wrongLength, off + 9 + 128, 65);
    assertThatThrownBy(() -> ReceiptCodec.decode(Bytes.copyOf(wrongLength)))
        .hasMessageContaining("batch path must have 3 hashes for index 3 of 5, got 4");

    byte[] truncated = Arrays.copyOf(b, b.length - 1);
    assertThatThrownBy(() -> ReceiptCodec.decode(Bytes.copyOf(truncated)))
        .hasMessageContaining("truncated");

    byte[] trailing = Arrays.copyOf(b, b.length + 1);
    assertThatThrownBy(() -> ReceiptCodec.decode(Bytes.copyOf(trailing)))
        .hasMessageContaining("trailing");

    byte[] version1 = b.clone();
    version1[3] = 1; // the batch fields then cannot parse as a format 1 signature
    assertThatThrownBy(() -> ReceiptCodec.decode(Bytes.copyOf(version1)))
        .isInstanceOf(ReceiptFormatException.class);

    byte[] version3 = b.clone();
    version3[3] = 3;
    assertThatThrownBy(() -> ReceiptCodec.decode(Bytes.copyOf(version3)))
        .hasMessageContaining("bad magic");
  }

  @Test
  void batchProof_rejectsOutOfRangeValues() {
    assertThatThrownBy(() -> new BatchProof(0, 0, List.of()))
        .hasMessageContaining("batch size must be in [1, 65536], got 0");
    assertThatThrownBy(() -> new BatchProof(65537, 0, List.of())).hasMessageContaining("got 65537");
    assertThatThrownBy(() -> new BatchProof(5, 5, List.of()))
        .hasMessageContaining("batch index must be in [0, 4], got 5");
    assertThatThrownBy(() -> new BatchProof(1, 0, List.of(Bytes.copyOf(new byte[32]))))
        .hasMessageContaining("batch path must have 0 hashes for index 0 of 1, got 1");
  }

  @Test
  void signBatch_limitsAndKey() {
    assertThatThrownBy(
            () ->
                SignedReceipt.signBatch(
                    List.of(), ReceiptDomain.DEVNET, ReceiptFixtures.goldenKey()))
        .hasMessageContaining("a batch holds 1 to 65536 receipts, got 0");
    assertThatThrownBy(
            () ->
                SignedReceipt.signBatch(
                    ReceiptFixtures.batchReceipts(),
                    ReceiptDomain.DEVNET,
                    ReceiptFixtures.otherKey()))
        .hasMessageContaining("key belongs to");
  }

  @Test
  void signBatch_ofDigestedReceipts_equalsSigningTheReceipts_andNeedsOneDomain() {
    List<DigestedReceipt> digested =
        ReceiptFixtures.batchReceipts().stream()
            .map(r -> DigestedReceipt.of(r, ReceiptDomain.DEVNET))
            .toList();
    assertThat(SignedReceipt.signBatch(digested, ReceiptFixtures.goldenKey()))
        .isEqualTo(ReceiptFixtures.goldenBatch());
    assertThat(SignedReceipt.sign(digested.getFirst(), ReceiptFixtures.goldenKey()))
        .isEqualTo(
            SignedReceipt.sign(
                ReceiptFixtures.batchReceipts().getFirst(),
                ReceiptDomain.DEVNET,
                ReceiptFixtures.goldenKey()));
    List<DigestedReceipt> mixed = new ArrayList<>(digested);
    mixed.set(
        1,
        DigestedReceipt.of(
            ReceiptFixtures.batchReceipts().get(1),
            new ReceiptDomain(1, ReceiptDomain.DEVNET.verifyingContract())));
    assertThatThrownBy(() -> SignedReceipt.signBatch(mixed, ReceiptFixtures.goldenKey()))
        .hasMessageContaining("must share one domain");
  }

  @Test
  void batchOfOne_rootIsTheLeafHash_pathEmpty() throws Exception {
    SignedReceipt one =
        SignedReceipt.signBatch(
                List.of(ReceiptFixtures.goldenReceipt()),
                ReceiptDomain.DEVNET,
                ReceiptFixtures.goldenKey())
            .getFirst();
    Bytes d = one.receipt().signingDigest(one.domain());
    assertThat(one.batch().orElseThrow().path()).isEmpty();
    assertThat(one.batch().orElseThrow().root(d)).isEqualTo(Rfc9162.leafHash(d));
    one.verify();
    assertThat(ReceiptJson.parse(ReceiptJson.toJson(one))).isEqualTo(one);
  }

  @Test
  void signBatch_maxSize_signsOnce_andEveryPathHas16Hashes() throws Exception {
    List<Receipt> many = new ArrayList<>();
    Receipt g = ReceiptFixtures.goldenReceipt();
    for (int i = 0; i < BatchProof.MAX_SIZE; i++) {
      many.add(ReceiptFixtures.copy(g).requestId("r" + i).build());
    }
    List<SignedReceipt> signed =
        SignedReceipt.signBatch(many, ReceiptDomain.DEVNET, ReceiptFixtures.goldenKey());
    assertThat(signed).hasSize(BatchProof.MAX_SIZE);
    assertThat(signed.stream().map(SignedReceipt::signature).distinct()).hasSize(1);
    assertThat(signed.getLast().batch().orElseThrow().path()).hasSize(16);
    signed.getLast().verify();
    signed.get(12345).verify();
    ReceiptCodec.decode(signed.getLast().canonicalBytes()).verify();
    many.add(ReceiptFixtures.copy(g).requestId("one-too-many").build());
    assertThatThrownBy(
            () -> SignedReceipt.signBatch(many, ReceiptDomain.DEVNET, ReceiptFixtures.goldenKey()))
        .hasMessageContaining("got 65537");
  }

  @Test
  void pathLength_matchesMerkleTreeProofs_forEverySmallPair() {
    for (int n = 1; n <= 130; n++) {
      MemoryHashStore s = new MemoryHashStore();
      for (int i = 0; i < n; i++) {
        s.append(Rfc9162.leafHash(new byte[] {(byte) i}));
      }
      MerkleTree t = new MerkleTree(s);
      for (int i = 0; i < n; i++) {
        assertThat(Rfc9162.inclusionPathLength(i, n))
            .as("index %d of %d", i, n)
            .isEqualTo(t.inclusionProof(i, n).path().size());
      }
    }
  }

  static List<Receipt> randomBatch(int n, long salt) {
    List<Receipt> out = new ArrayList<>();
    Receipt g = ReceiptFixtures.goldenReceipt();
    for (int i = 0; i < n; i++) {
      out.add(
          ReceiptFixtures.copy(g)
              .requestId("p-" + salt + "-" + i)
              .seed(salt * 131 + i)
              .output(ReceiptFixtures.sha("out " + salt + " " + i))
              .build());
    }
    return out;
  }

  @Property(tries = 40)
  void everyReceiptOfARandomBatch_verifies_andSurvivesBothEncodings(
      @ForAll @IntRange(min = 1, max = 70) int n, @ForAll long salt) throws Exception {
    List<SignedReceipt> signed =
        SignedReceipt.signBatch(
            randomBatch(n, salt), ReceiptDomain.DEVNET, ReceiptFixtures.goldenKey());
    for (SignedReceipt r : signed) {
      r.verify();
      assertThat(ReceiptCodec.decode(r.canonicalBytes())).isEqualTo(r);
      assertThat(ReceiptJson.parse(ReceiptJson.toJson(r))).isEqualTo(r);
    }
  }

  @Property(tries = 400)
  void anySingleByteChange_failsDecodeOrVerify(
      @ForAll @IntRange(min = 1, max = 70) int n,
      @ForAll @IntRange(min = 0, max = 69) int which,
      @ForAll @IntRange(min = 0, max = 2000) int pos,
      @ForAll @IntRange(min = 1, max = 255) int xor) {
    List<SignedReceipt> signed =
        SignedReceipt.signBatch(
            randomBatch(n, n), ReceiptDomain.DEVNET, ReceiptFixtures.goldenKey());
    byte[] b = signed.get(which % n).canonicalBytes().toByteArray();
    b[pos % b.length] ^= (byte) xor;
    SignedReceipt changed;
    try {
      changed = ReceiptCodec.decode(Bytes.copyOf(b));
    } catch (ReceiptFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThatThrownBy(changed::verify).isInstanceOf(ReceiptSignatureException.class);
  }
}

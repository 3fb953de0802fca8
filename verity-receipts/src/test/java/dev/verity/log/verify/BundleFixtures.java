package dev.verity.log.verify;

import dev.verity.core.Bytes;
import dev.verity.log.ConsistencyProof;
import dev.verity.log.InclusionProof;
import dev.verity.log.MemoryHashStore;
import dev.verity.log.MerkleTree;
import dev.verity.log.Rfc9162;
import dev.verity.log.TestKeys;
import dev.verity.log.bundle.BundleJson;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteSignature;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.SignedCheckpoint;
import dev.verity.log.witness.CosignatureV1;
import dev.verity.receipt.ReceiptFixtures;
import dev.verity.receipt.SignedReceipt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic ten-entry log holding the golden receipt at index 3, its checkpoint with one
 * witness cosignature, and one broken bundle per failure mode. main() writes them to
 * src/test/resources/bundles.
 */
public final class BundleFixtures {
  public static final NoteSigner WITNESS = TestKeys.witnessSigner("witness.verity.test/w1");
  public static final long COSIGN_TIME = 1_764_000_000L;
  static final int INDEX = 3;
  static final int SIZE = 10;

  private BundleFixtures() {}

  static MerkleTree tree(String fillerPrefix) {
    MemoryHashStore s = new MemoryHashStore();
    for (int i = 0; i < SIZE; i++) {
      byte[] e =
          i == INDEX
              ? ReceiptFixtures.goldenSigned().canonicalBytes().toByteArray()
              : (fillerPrefix + i).getBytes(StandardCharsets.UTF_8);
      s.append(Rfc9162.leafHash(e));
    }
    return new MerkleTree(s);
  }

  static String checkpoint(MerkleTree t, long size, NoteSigner logKey, boolean cosign) {
    SignedCheckpoint cp =
        SignedCheckpoint.sign(
            new Checkpoint(TestKeys.logSigner().name(), size, t.rootHash(size)), logKey);
    Note n = cp.note();
    if (cosign) {
      n = n.withSignature(CosignatureV1.sign(WITNESS, n.text(), COSIGN_TIME));
    }
    return n.encode();
  }

  public static ReceiptBundle golden() {
    MerkleTree t = tree("filler ");
    return new ReceiptBundle(
        ReceiptFixtures.goldenSigned(),
        t.inclusionProof(INDEX, SIZE),
        checkpoint(t, SIZE, TestKeys.logSigner(), true));
  }

  /** The checkpoint of size 7 of the golden log, as a verifier might have seen it earlier. */
  public static String previousCheckpoint() {
    return checkpoint(tree("filler "), 7, TestKeys.logSigner(), false);
  }

  public static ConsistencyProof previousToGolden() {
    return tree("filler ").consistencyProof(7, SIZE);
  }

  /** Name of each negative fixture and the exception verifying it must throw. */
  public static Map<String, Class<? extends BundleVerificationException>> expectations() {
    Map<String, Class<? extends BundleVerificationException>> m = new LinkedHashMap<>();
    m.put("bad-receipt-signature", BadReceiptSignatureException.class);
    m.put("not-in-log-wrong-index", NotInLogException.class);
    m.put("not-in-log-tampered-proof", NotInLogException.class);
    m.put("not-in-log-other-receipt", NotInLogException.class);
    m.put("not-in-log-wrong-tree-size", NotInLogException.class);
    m.put("bad-checkpoint-signature", BadCheckpointSignatureException.class);
    m.put("tampered-checkpoint-root", BadCheckpointSignatureException.class);
    m.put("missing-cosignature", MissingCosignatureException.class);
    m.put("bad-cosignature", MissingCosignatureException.class);
    m.put("inconsistent-with-previous", InconsistentCheckpointException.class);
    return m;
  }

  public static Map<String, ReceiptBundle> negatives() {
    ReceiptBundle g = golden();
    MerkleTree t = tree("filler ");
    Map<String, ReceiptBundle> out = new LinkedHashMap<>();
    SignedReceipt r = g.receipt();
    SignedReceipt tampered =
        new SignedReceipt(
            new dev.verity.receipt.Receipt(
                r.receipt().modelDigest(),
                r.receipt().engineId(),
                r.receipt().engineVersion(),
                r.receipt().engineConfigDigest(),
                r.receipt().numericMode(),
                r.receipt().inputDigest(),
                r.receipt().outputDigest(),
                r.receipt().traceRoot(),
                r.receipt().traceLeaves(),
                r.receipt().node(),
                "req-9999",
                r.receipt().timeMillis(),
                r.receipt().policy(),
                r.receipt().seed()),
            r.domain(),
            r.signature());
    out.put("bad-receipt-signature", new ReceiptBundle(tampered, g.inclusion(), g.checkpoint()));
    out.put(
        "not-in-log-wrong-index",
        new ReceiptBundle(
            r, new InclusionProof(INDEX + 1, SIZE, g.inclusion().path()), g.checkpoint()));
    List<Bytes> path = new ArrayList<>(g.inclusion().path());
    byte[] h = path.get(1).toByteArray();
    h[0] ^= 1;
    path.set(1, Bytes.copyOf(h));
    out.put(
        "not-in-log-tampered-proof",
        new ReceiptBundle(r, new InclusionProof(INDEX, SIZE, path), g.checkpoint()));
    // A validly signed receipt that was never logged, with the golden receipt's proof.
    SignedReceipt other =
        SignedReceipt.sign(
            dev.verity.receipt.Receipt.builder()
                .model(r.receipt().modelDigest())
                .engine(
                    r.receipt().engineId(),
                    r.receipt().engineVersion(),
                    r.receipt().engineConfigDigest(),
                    r.receipt().numericMode())
                .input(r.receipt().inputDigest())
                .output(r.receipt().outputDigest())
                .trace(r.receipt().traceRoot(), r.receipt().traceLeaves())
                .node(r.receipt().node())
                .requestId("req-never-logged")
                .timeMillis(r.receipt().timeMillis())
                .policy(r.receipt().policy())
                .build(),
            r.domain(),
            ReceiptFixtures.goldenKey());
    out.put("not-in-log-other-receipt", new ReceiptBundle(other, g.inclusion(), g.checkpoint()));
    out.put(
        "not-in-log-wrong-tree-size",
        new ReceiptBundle(r, t.inclusionProof(INDEX, SIZE - 1), g.checkpoint()));
    out.put(
        "bad-checkpoint-signature",
        new ReceiptBundle(r, g.inclusion(), checkpoint(t, SIZE, TestKeys.otherLogSigner(), true)));
    String[] lines = g.checkpoint().split("\n", -1);
    lines[2] = java.util.Base64.getEncoder().encodeToString(Rfc9162.EMPTY_ROOT.toByteArray());
    out.put(
        "tampered-checkpoint-root", new ReceiptBundle(r, g.inclusion(), String.join("\n", lines)));
    out.put(
        "missing-cosignature",
        new ReceiptBundle(r, g.inclusion(), checkpoint(t, SIZE, TestKeys.logSigner(), false)));
    Note n = Note.parse(g.checkpoint());
    NoteSignature cosig = n.signatures().get(1);
    byte[] sig = cosig.signature().toByteArray();
    sig[20] ^= 1;
    Note badCosig =
        new Note(
            n.text(),
            List.of(
                n.signatures().get(0),
                new NoteSignature(cosig.name(), cosig.keyId(), Bytes.copyOf(sig))));
    out.put("bad-cosignature", new ReceiptBundle(r, g.inclusion(), badCosig.encode()));
    // The same log key signs a tree of size 10 that rewrote entries 0-2 (a fork): the receipt is
    // included, but the tree does not extend the size-7 checkpoint seen before.
    MerkleTree forked = tree("rewritten ");
    out.put(
        "inconsistent-with-previous",
        new ReceiptBundle(
            r,
            forked.inclusionProof(INDEX, SIZE),
            checkpoint(forked, SIZE, TestKeys.logSigner(), true)));
    return out;
  }

  /** The consistency proof the forked log would offer from size 7. */
  public static ConsistencyProof forkedProof() {
    return tree("rewritten ").consistencyProof(7, SIZE);
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/bundles");
    Files.createDirectories(dir.resolve("negative"));
    Files.writeString(dir.resolve("golden-bundle.json"), BundleJson.toJson(golden()));
    Files.writeString(dir.resolve("previous-checkpoint.txt"), previousCheckpoint());
    Files.writeString(dir.resolve("log.vkey"), TestKeys.logSigner().verifierKey().encode() + "\n");
    Files.writeString(dir.resolve("witness.vkey"), WITNESS.verifierKey().encode() + "\n");
    for (Map.Entry<String, ReceiptBundle> e : negatives().entrySet()) {
      Files.writeString(
          dir.resolve("negative/" + e.getKey() + ".json"), BundleJson.toJson(e.getValue()));
    }
  }
}

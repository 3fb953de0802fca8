package dev.verity.receipt;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.receipt.eth.Keccak;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fixed key and receipt behind the golden vectors, and a main() that (re)writes the fixture
 * files under src/test/resources/receipts. Tests only read the files, so a code change that alters
 * any byte fails them.
 */
public final class ReceiptFixtures {
  private ReceiptFixtures() {}

  /** Private key = keccak256("verity golden receipt key"). Public test key, never used for real. */
  public static ReceiptKey goldenKey() {
    return ReceiptKey.fromPrivateKey(
        Keccak.keccak256("verity golden receipt key".getBytes(StandardCharsets.UTF_8)));
  }

  public static ReceiptKey otherKey() {
    return ReceiptKey.fromPrivateKey(
        Keccak.keccak256("some other node".getBytes(StandardCharsets.UTF_8)));
  }

  static Digest sha(String s) {
    return Digest.of(s.getBytes(StandardCharsets.UTF_8));
  }

  public static Receipt goldenReceipt() {
    return Receipt.builder()
        .model(sha("model manifest"))
        .engine(
            "strict",
            "0.1.0",
            Receipt.engineConfigDigest(new TreeMap<>(Map.of("threads", "1"))),
            NumericMode.BITWISE)
        .input(sha("input tensors"))
        .output(sha("output tensors"))
        .trace(sha("trace root"), 42)
        .node(goldenKey().address())
        .requestId("req-0001")
        .timeMillis(1_764_000_000_000L)
        .policy(VerificationPolicy.parse("sample:0.1"))
        .seed(7)
        .build();
  }

  public static SignedReceipt goldenSigned() {
    return SignedReceipt.sign(goldenReceipt(), ReceiptDomain.DEVNET, goldenKey());
  }

  /** Negative fixtures: name -> signed receipt that must fail verification. */
  public static Map<String, SignedReceipt> negatives() {
    SignedReceipt g = goldenSigned();
    Receipt r = g.receipt();
    Map<String, SignedReceipt> out = new LinkedHashMap<>();
    out.put("tampered-modelDigest", with(g, copy(r).model(sha("other model")).build()));
    out.put(
        "tampered-engineId",
        with(
            g,
            copy(r)
                .engine("ort", r.engineVersion(), r.engineConfigDigest(), r.numericMode())
                .build()));
    out.put(
        "tampered-engineVersion",
        with(
            g,
            copy(r)
                .engine(r.engineId(), "0.1.1", r.engineConfigDigest(), r.numericMode())
                .build()));
    out.put(
        "tampered-engineConfigDigest",
        with(
            g, copy(r).engine(r.engineId(), r.engineVersion(), sha("x"), r.numericMode()).build()));
    out.put(
        "tampered-numericMode",
        with(
            g,
            copy(r)
                .engine(
                    r.engineId(), r.engineVersion(), r.engineConfigDigest(), NumericMode.TOLERANCE)
                .build()));
    out.put("tampered-inputDigest", with(g, copy(r).input(sha("other input")).build()));
    out.put("tampered-outputDigest", with(g, copy(r).output(sha("other output")).build()));
    out.put("tampered-traceRoot", with(g, copy(r).trace(sha("other trace"), 42).build()));
    out.put("tampered-traceLeaves", with(g, copy(r).trace(r.traceRoot(), 43).build()));
    out.put("tampered-node", with(g, copy(r).node(otherKey().address()).build()));
    out.put("tampered-requestId", with(g, copy(r).requestId("req-0002").build()));
    out.put("tampered-timeMillis", with(g, copy(r).timeMillis(r.timeMillis() + 1).build()));
    out.put("tampered-policy", with(g, copy(r).policy(VerificationPolicy.NONE).build()));
    out.put("tampered-seed", with(g, copy(r).seed(8).build()));
    out.put(
        "tampered-chainId",
        new SignedReceipt(
            r, new ReceiptDomain(1, ReceiptDomain.DEVNET.verifyingContract()), g.signature()));
    out.put(
        "tampered-verifyingContract",
        new SignedReceipt(r, new ReceiptDomain(31337, otherKey().address()), g.signature()));
    // Signed by another key but naming the golden node.
    out.put(
        "wrong-signer",
        new SignedReceipt(r, g.domain(), otherKey().sign(r.signingDigest(g.domain()))));
    // s -> n - s and flipped v: ecrecover accepts it, Verity must not.
    BigInteger n =
        new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);
    BigInteger s = new BigInteger(1, g.signature().s().toByteArray());
    out.put(
        "high-s",
        new SignedReceipt(
            r,
            g.domain(),
            new EthSignature(g.signature().r(), to32(n.subtract(s)), 55 - g.signature().v())));
    out.put(
        "bad-v-29",
        new SignedReceipt(
            r, g.domain(), new EthSignature(g.signature().r(), g.signature().s(), 29)));
    out.put(
        "bad-v-0",
        new SignedReceipt(
            r,
            g.domain(),
            new EthSignature(g.signature().r(), g.signature().s(), g.signature().v() - 27)));
    out.put(
        "flipped-v",
        new SignedReceipt(
            r,
            g.domain(),
            new EthSignature(g.signature().r(), g.signature().s(), 55 - g.signature().v())));
    out.put(
        "zero-r",
        new SignedReceipt(
            r,
            g.domain(),
            new EthSignature(Bytes.copyOf(new byte[32]), g.signature().s(), g.signature().v())));
    return out;
  }

  /** The golden batch: five receipts like the golden one, request ids batch-0 .. batch-4. */
  public static List<Receipt> batchReceipts() {
    List<Receipt> out = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      out.add(
          copy(goldenReceipt()).requestId("batch-" + i).timeMillis(1_764_000_000_000L + i).build());
    }
    return out;
  }

  public static List<SignedReceipt> goldenBatch() {
    return SignedReceipt.signBatch(batchReceipts(), ReceiptDomain.DEVNET, goldenKey());
  }

  /** The golden batch's root (recomputed here from the proofs of receipt 0). */
  public static Bytes goldenBatchRoot() {
    SignedReceipt r = goldenBatch().getFirst();
    return r.batch().orElseThrow().root(r.receipt().signingDigest(r.domain()));
  }

  /**
   * Batch-signed receipts that parse but must fail verify(): name -> receipt (all from index 3).
   */
  public static Map<String, SignedReceipt> batchNegatives() {
    SignedReceipt g = goldenBatch().get(3);
    BatchProof p = g.batch().orElseThrow();
    Receipt r = g.receipt();
    ReceiptDomain d = g.domain();
    EthSignature sig = g.signature();
    Map<String, SignedReceipt> out = new LinkedHashMap<>();
    // Index 2 of 5 has a path of the same length, so only the signature check can catch it.
    out.put("batch-wrong-index", new SignedReceipt(r, d, sig, new BatchProof(5, 2, p.path())));
    List<Bytes> flipped = new ArrayList<>(p.path());
    byte[] h = flipped.get(1).toByteArray();
    h[0] ^= 0x01;
    flipped.set(1, Bytes.copyOf(h));
    out.put("batch-path-flipped", new SignedReceipt(r, d, sig, new BatchProof(5, 3, flipped)));
    out.put("batch-wrong-size", new SignedReceipt(r, d, sig, new BatchProof(6, 3, p.path())));
    out.put(
        "batch-tampered-requestId",
        new SignedReceipt(copy(r).requestId("batch-9").build(), d, sig, p));
    out.put(
        "batch-tampered-outputDigest",
        new SignedReceipt(copy(r).output(sha("other output")).build(), d, sig, p));
    out.put(
        "batch-tampered-chainId",
        new SignedReceipt(r, new ReceiptDomain(1, d.verifyingContract()), sig, p));
    out.put(
        "batch-signature-over-other-root",
        new SignedReceipt(
            r,
            d,
            goldenKey().sign(BatchProof.signingDigest(d, sha("another root").value(), 5)),
            p));
    out.put(
        "batch-wrong-signer",
        new SignedReceipt(
            r, d, otherKey().sign(BatchProof.signingDigest(d, goldenBatchRoot(), 5)), p));
    BigInteger n =
        new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);
    BigInteger s = new BigInteger(1, sig.s().toByteArray());
    out.put(
        "batch-high-s",
        new SignedReceipt(r, d, new EthSignature(sig.r(), to32(n.subtract(s)), 55 - sig.v()), p));
    // A direct signature presented as a batch signature, and a batch signature as a direct one.
    out.put(
        "batch-direct-signature", new SignedReceipt(r, d, goldenKey().sign(r.signingDigest(d)), p));
    out.put("batch-signature-without-proof", new SignedReceipt(r, d, sig));
    return out;
  }

  /**
   * Batch receipts whose JSON must be rejected by the parser: name -> [JSON, expected message
   * fragment]. Built by editing the JSON of golden batch receipt 3, since BatchProof itself refuses
   * these values.
   */
  public static Map<String, String[]> batchMalformed() {
    Map<String, String[]> out = new LinkedHashMap<>();
    out.put(
        "batch-path-too-short",
        new String[] {
          editBatch(b -> ((ArrayNode) b.get("path")).remove(2)),
          "'batch.path' must hold 3 hashes for index 3 of 5, got 2"
        });
    out.put(
        "batch-path-too-long",
        new String[] {
          editBatch(b -> ((ArrayNode) b.get("path")).add("0x" + "ab".repeat(32))),
          "'batch.path' must hold 3 hashes for index 3 of 5, got 4"
        });
    out.put(
        "batch-index-not-below-size",
        new String[] {editBatch(b -> b.put("index", 5)), "'batch.index' must be in [0, 4], got 5"});
    out.put(
        "batch-size-0",
        new String[] {
          editBatch(b -> b.put("size", 0)), "'batch.size' must be in [1, 65536], got 0"
        });
    out.put(
        "batch-size-65537",
        new String[] {
          editBatch(b -> b.put("size", 65537)), "'batch.size' must be in [1, 65536], got 65537"
        });
    out.put(
        "batch-path-upper-case",
        new String[] {
          editBatch(
              b -> {
                ArrayNode path = (ArrayNode) b.get("path");
                path.set(
                    1,
                    path.get(1).textValue().toUpperCase(java.util.Locale.ROOT).replace("0X", "0x"));
              }),
          "'batch.path[1]' must be 0x followed by 64 lower-case hex digits"
        });
    out.put(
        "batch-path-short-hash",
        new String[] {
          editBatch(b -> ((ArrayNode) b.get("path")).set(0, "0x" + "ab".repeat(31))),
          "'batch.path[0]' must be 0x followed by 64 lower-case hex digits"
        });
    out.put(
        "batch-index-string",
        new String[] {editBatch(b -> b.put("index", "3")), "'batch.index' must be an integer"});
    out.put(
        "batch-unknown-key",
        new String[] {editBatch(b -> b.put("root", "0x00")), "unknown field 'root'"});
    out.put(
        "batch-missing-path",
        new String[] {editBatch(b -> b.remove("path")), "missing field 'path'"});
    return out;
  }

  private static String editBatch(java.util.function.Consumer<ObjectNode> edit) {
    ObjectNode o = ReceiptJson.toNode(goldenBatch().get(3));
    edit.accept((ObjectNode) o.get("batch"));
    try {
      return StrictJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Bytes to32(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int k = Math.min(b.length, 32);
    System.arraycopy(b, b.length - k, out, 32 - k, k);
    return Bytes.copyOf(out);
  }

  static SignedReceipt with(SignedReceipt g, Receipt r) {
    return new SignedReceipt(r, g.domain(), g.signature());
  }

  static Receipt.Builder copy(Receipt r) {
    return Receipt.builder()
        .model(r.modelDigest())
        .engine(r.engineId(), r.engineVersion(), r.engineConfigDigest(), r.numericMode())
        .input(r.inputDigest())
        .output(r.outputDigest())
        .trace(r.traceRoot(), r.traceLeaves())
        .node(r.node())
        .requestId(r.requestId())
        .timeMillis(r.timeMillis())
        .policy(r.policy())
        .seed(r.seed());
  }

  /** Writes the golden files; run once from the module directory and commit the result. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/receipts");
    Files.createDirectories(dir.resolve("negative"));
    SignedReceipt g = goldenSigned();
    Files.writeString(dir.resolve("golden-receipt.json"), ReceiptJson.toJson(g) + "\n");
    String vectors =
        "typeHash="
            + Receipt.TYPEHASH.toHex()
            + "\n"
            + "domainSeparator="
            + g.domain().separator().toHex()
            + "\n"
            + "structHash="
            + g.receipt().structHash().toHex()
            + "\n"
            + "digest="
            + g.receipt().signingDigest(g.domain()).toHex()
            + "\n"
            + "signature="
            + g.signature().toBytes().toHex()
            + "\n"
            + "node="
            + g.receipt().node().toChecksumString()
            + "\n"
            + "canonical="
            + g.canonicalBytes().toHex()
            + "\n"
            + "leafHash="
            + g.leafHash().toHex()
            + "\n";
    Files.writeString(dir.resolve("golden-vectors.properties"), vectors);
    for (Map.Entry<String, SignedReceipt> e : negatives().entrySet()) {
      Files.writeString(
          dir.resolve("negative/" + e.getKey() + ".json"), ReceiptJson.toJson(e.getValue()) + "\n");
    }
    writeBatch(dir);
  }

  private static void writeBatch(Path dir) throws IOException {
    List<SignedReceipt> batch = goldenBatch();
    SignedReceipt first = batch.getFirst();
    Bytes root = goldenBatchRoot();
    StringBuilder v = new StringBuilder();
    v.append("batchTypeHash=").append(BatchProof.TYPEHASH.toHex()).append('\n');
    v.append("domainSeparator=").append(first.domain().separator().toHex()).append('\n');
    v.append("size=").append(batch.size()).append('\n');
    v.append("root=").append(root.toHex()).append('\n');
    v.append("batchStructHash=")
        .append(BatchProof.structHash(root, batch.size()).toHex())
        .append('\n');
    v.append("batchDigest=")
        .append(BatchProof.signingDigest(first.domain(), root, batch.size()).toHex())
        .append('\n');
    v.append("signature=").append(first.signature().toBytes().toHex()).append('\n');
    v.append("node=").append(first.receipt().node().toChecksumString()).append('\n');
    for (int i = 0; i < batch.size(); i++) {
      SignedReceipt r = batch.get(i);
      v.append("digest.").append(i).append('=');
      v.append(r.receipt().signingDigest(r.domain()).toHex()).append('\n');
      v.append("path.").append(i).append('=');
      v.append(String.join(",", r.batch().orElseThrow().path().stream().map(Bytes::toHex).toList()))
          .append('\n');
      v.append("canonical.").append(i).append('=').append(r.canonicalBytes().toHex()).append('\n');
      v.append("leafHash.").append(i).append('=').append(r.leafHash().toHex()).append('\n');
      Files.writeString(
          dir.resolve("golden-batch-receipt-" + i + ".json"), ReceiptJson.toJson(r) + "\n");
    }
    Files.writeString(dir.resolve("golden-batch-vectors.properties"), v.toString());
    for (Map.Entry<String, SignedReceipt> e : batchNegatives().entrySet()) {
      Files.writeString(
          dir.resolve("negative/" + e.getKey() + ".json"), ReceiptJson.toJson(e.getValue()) + "\n");
    }
    Files.createDirectories(dir.resolve("malformed"));
    for (Map.Entry<String, String[]> e : batchMalformed().entrySet()) {
      Files.writeString(dir.resolve("malformed/" + e.getKey() + ".json"), e.getValue()[0] + "\n");
    }
  }
}

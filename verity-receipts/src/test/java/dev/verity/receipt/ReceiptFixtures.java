package dev.verity.receipt;

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
import java.util.LinkedHashMap;
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
  }
}

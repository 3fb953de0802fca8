package dev.verity.receipt.eth;

import dev.verity.core.Bytes;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * The receipt signing digest computed as before our Keccak: BouncyCastle's KeccakDigest, every
 * member a fresh array, the repeated strings' hashes remembered. An independent reference for tests
 * and the baseline of {@link KeccakBench}.
 */
final class BouncyCastleEip712 {
  private BouncyCastleEip712() {}

  static byte[] keccak256(byte[]... parts) {
    KeccakDigest d = new KeccakDigest(256);
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  private static final Map<String, byte[]> STRING_HASHES = new ConcurrentHashMap<>();

  private static byte[] repeatedString(String s) {
    return STRING_HASHES.computeIfAbsent(s, BouncyCastleEip712::string);
  }

  private static byte[] string(String s) {
    return keccak256(s.getBytes(StandardCharsets.UTF_8));
  }

  static Bytes signingDigest(Receipt r, ReceiptDomain domain) {
    byte[] address = new byte[32];
    System.arraycopy(r.node().value().toByteArray(), 0, address, 12, 20);
    Bytes structHash =
        Bytes.copyOf(
            keccak256(
                Receipt.TYPEHASH.toByteArray(),
                r.modelDigest().value().toByteArray(),
                repeatedString(r.engineId()),
                repeatedString(r.engineVersion()),
                r.engineConfigDigest().value().toByteArray(),
                Eip712.uint(Receipt.numericModeCode(r.numericMode())),
                r.inputDigest().value().toByteArray(),
                r.outputDigest().value().toByteArray(),
                r.traceRoot().value().toByteArray(),
                Eip712.uint(r.traceLeaves()),
                address,
                string(r.requestId()),
                Eip712.uint(r.timeMillis()),
                repeatedString(r.policy().text()),
                Eip712.uint(r.seed())));
    return Bytes.copyOf(
        keccak256(
            new byte[] {0x19, 0x01}, domain.separator().toByteArray(), structHash.toByteArray()));
  }
}

package dev.verity.receipt;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The canonical binary encoding of a signed receipt (docs/RECEIPTS.md has the tables): magic {@code
 * "vrc" 0x01} (direct signature) or {@code "vrc" 0x02} (batch-signed), then every field in
 * declaration order, fixed-width big-endian integers, one-byte-length-prefixed ASCII strings; a
 * batch-signed receipt then has its batch size, index and path; the 65-byte signature comes last.
 * Decoding accepts exactly what encoding produces.
 */
public final class ReceiptCodec {
  static final byte[] MAGIC = {'v', 'r', 'c', 1};
  static final byte[] MAGIC_BATCH = {'v', 'r', 'c', 2};

  /** Batch size, index, path length and at most 16 path hashes (format 2 only). */
  private static final int MAX_BATCH_FIELDS = 4 + 4 + 1 + 16 * 32;

  /** Upper bound of an encoding, used to reject oversized input early. */
  public static final int MAX_LENGTH =
      4 + 8 + 20 + 32 + 3 * 65 + 32 + 1 + 32 * 3 + 8 + 20 + 129 + 8 + 8 + MAX_BATCH_FIELDS + 65;

  private ReceiptCodec() {}

  public static Bytes encode(SignedReceipt sr) {
    Receipt r = sr.receipt();
    BatchProof batch = sr.batch().orElse(null);
    byte[] engineId = ascii(r.engineId());
    byte[] engineVersion = ascii(r.engineVersion());
    byte[] requestId = ascii(r.requestId());
    byte[] policy = ascii(r.policy().text());
    // Sized exactly up front: a node encodes every receipt it issues, so no growing or copying.
    // Fixed fields: magic, chain id, contract, model, config digest, numeric mode, input, output,
    // trace root, trace leaves, node, time, seed, signature.
    int fixed = 4 + 8 + 20 + 32 + 32 + 1 + 3 * 32 + 8 + 20 + 8 + 8 + 65;
    int strings = 4 + engineId.length + engineVersion.length + requestId.length + policy.length;
    int batchFields = batch == null ? 0 : 4 + 4 + 1 + 32 * batch.path().size();
    ByteBuffer out = ByteBuffer.allocate(fixed + strings + batchFields);
    out.put(batch != null ? MAGIC_BATCH : MAGIC);
    out.putLong(sr.domain().chainId());
    out.put(sr.domain().verifyingContract().value().toByteArray());
    out.put(r.modelDigest().value().toByteArray());
    putString(out, engineId);
    putString(out, engineVersion);
    out.put(r.engineConfigDigest().value().toByteArray());
    out.put((byte) Receipt.numericModeCode(r.numericMode()));
    out.put(r.inputDigest().value().toByteArray());
    out.put(r.outputDigest().value().toByteArray());
    out.put(r.traceRoot().value().toByteArray());
    out.putLong(r.traceLeaves());
    out.put(r.node().value().toByteArray());
    putString(out, requestId);
    out.putLong(r.timeMillis());
    putString(out, policy);
    out.putLong(r.seed());
    if (batch != null) {
      out.putInt(batch.size()).putInt(batch.index());
      out.put((byte) batch.path().size());
      for (Bytes h : batch.path()) {
        out.put(h.toByteArray());
      }
    }
    EthSignature sig = sr.signature();
    out.put(sig.r().toByteArray()).put(sig.s().toByteArray()).put((byte) sig.v());
    return Bytes.copyOf(out.array());
  }

  public static SignedReceipt decode(Bytes bytes) {
    if (bytes.length() > MAX_LENGTH) {
      throw new ReceiptFormatException("receipt encoding is too long: " + bytes.length());
    }
    ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
    try {
      byte[] magic = new byte[4];
      b.get(magic);
      boolean batched = java.util.Arrays.equals(magic, MAGIC_BATCH);
      if (!batched && !java.util.Arrays.equals(magic, MAGIC)) {
        throw new ReceiptFormatException("not a Verity receipt encoding (bad magic)");
      }
      long chainId = b.getLong();
      EthAddress contract = new EthAddress(take(b, 20));
      Digest model = new Digest(take(b, 32));
      String engineId = getString(b, "engineId");
      String engineVersion = getString(b, "engineVersion");
      Digest config = new Digest(take(b, 32));
      int mode = b.get() & 0xff;
      Digest input = new Digest(take(b, 32));
      Digest output = new Digest(take(b, 32));
      Digest trace = new Digest(take(b, 32));
      long traceLeaves = b.getLong();
      EthAddress node = new EthAddress(take(b, 20));
      String requestId = getString(b, "requestId");
      long time = b.getLong();
      String policy = getString(b, "policy");
      long seed = b.getLong();
      BatchProof batch = batched ? getBatch(b) : null;
      EthSignature sig = EthSignature.fromBytes(take(b, 65));
      if (b.hasRemaining()) {
        throw new ReceiptFormatException(
            "receipt encoding has " + b.remaining() + " trailing bytes");
      }
      Receipt r =
          new Receipt(
              model,
              engineId,
              engineVersion,
              config,
              Receipt.numericModeOf(mode),
              input,
              output,
              trace,
              traceLeaves,
              node,
              requestId,
              time,
              VerificationPolicy.parse(policy),
              seed);
      ReceiptDomain domain = new ReceiptDomain(chainId, contract);
      return batch == null
          ? new SignedReceipt(r, domain, sig)
          : new SignedReceipt(r, domain, sig, batch);
    } catch (BufferUnderflowException e) {
      throw new ReceiptFormatException("receipt encoding is truncated", e);
    } catch (ReceiptFormatException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ReceiptFormatException("invalid receipt encoding: " + e.getMessage(), e);
    }
  }

  private static BatchProof getBatch(ByteBuffer b) {
    int size = b.getInt();
    int index = b.getInt();
    if (size < 1 || size > BatchProof.MAX_SIZE) {
      throw new ReceiptFormatException(
          "batch size must be in [1, "
              + BatchProof.MAX_SIZE
              + "], got "
              + Integer.toUnsignedString(size));
    }
    if (index < 0 || index >= size) {
      throw new ReceiptFormatException(
          "batch index " + Integer.toUnsignedString(index) + " is not below batch size " + size);
    }
    int k = b.get() & 0xff;
    if (k > 16) {
      throw new ReceiptFormatException("batch path has " + k + " hashes, at most 16 allowed");
    }
    java.util.List<Bytes> path = new java.util.ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      path.add(take(b, 32));
    }
    try {
      return new BatchProof(size, index, path);
    } catch (IllegalArgumentException e) {
      throw new ReceiptFormatException("invalid batch proof: " + e.getMessage(), e);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void putString(ByteBuffer out, byte[] ascii) {
    out.put((byte) ascii.length);
    out.put(ascii);
  }

  private static Bytes take(ByteBuffer b, int n) {
    byte[] out = new byte[n];
    b.get(out);
    return Bytes.copyOf(out);
  }

  private static String getString(ByteBuffer b, String field) {
    int n = b.get() & 0xff;
    byte[] s = new byte[n];
    b.get(s);
    for (byte c : s) {
      if (c < 0x21 || c > 0x7e) {
        throw new ReceiptFormatException(field + " is not printable ASCII");
      }
    }
    return new String(s, StandardCharsets.US_ASCII);
  }
}

package dev.verity.receipt;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineInfo;
import dev.verity.engine.NumericMode;
import dev.verity.engine.TraceCommitment;
import dev.verity.receipt.eth.Eip712;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.Keccak;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a node states about one inference. Signed as the EIP-712 struct {@link #TYPE}; {@code
 * timeMillis} is Unix time in milliseconds (UTC); {@code traceRoot} is all zero bytes and {@code
 * traceLeaves} 0 when the engine kept no trace; {@code seed} is the sampling seed of LLM requests
 * (0 otherwise), read as an unsigned 64-bit number.
 */
public record Receipt(
    Digest modelDigest,
    String engineId,
    String engineVersion,
    Digest engineConfigDigest,
    NumericMode numericMode,
    Digest inputDigest,
    Digest outputDigest,
    Digest traceRoot,
    long traceLeaves,
    EthAddress node,
    String requestId,
    long timeMillis,
    VerificationPolicy policy,
    long seed) {

  /** The EIP-712 encodeType string; its keccak256 is {@link #TYPEHASH}. */
  public static final String TYPE =
      "Receipt(bytes32 modelDigest,string engineId,string engineVersion,bytes32 engineConfigDigest,"
          + "uint8 numericMode,bytes32 inputDigest,bytes32 outputDigest,bytes32 traceRoot,"
          + "uint64 traceLeaves,address node,string requestId,uint64 timeMillis,string policy,"
          + "uint64 seed)";

  public static final Bytes TYPEHASH = Eip712.typeHash(TYPE);

  /** Stands for "no trace commitment". */
  public static final Digest NO_TRACE = new Digest(Bytes.copyOf(new byte[32]));

  public static final int MAX_ID = 64;
  public static final int MAX_REQUEST_ID = 128;

  /** JSON numbers are exact only below 2^53; receipts keep times and counts in that range. */
  public static final long MAX_SAFE = (1L << 53) - 1;

  public Receipt {
    Objects.requireNonNull(modelDigest, "modelDigest");
    checkToken(engineId, "engineId", MAX_ID);
    checkToken(engineVersion, "engineVersion", MAX_ID);
    Objects.requireNonNull(engineConfigDigest, "engineConfigDigest");
    Objects.requireNonNull(numericMode, "numericMode");
    Objects.requireNonNull(inputDigest, "inputDigest");
    Objects.requireNonNull(outputDigest, "outputDigest");
    Objects.requireNonNull(traceRoot, "traceRoot");
    if (traceLeaves < 0 || traceLeaves > MAX_SAFE) {
      throw new IllegalArgumentException("traceLeaves must be in [0, 2^53), got " + traceLeaves);
    }
    if (traceRoot.equals(NO_TRACE) != (traceLeaves == 0)) {
      throw new IllegalArgumentException(
          "traceRoot must be zero exactly when traceLeaves is 0 (no trace)");
    }
    Objects.requireNonNull(node, "node");
    checkToken(requestId, "requestId", MAX_REQUEST_ID);
    if (timeMillis < 0 || timeMillis > MAX_SAFE) {
      throw new IllegalArgumentException("timeMillis must be in [0, 2^53), got " + timeMillis);
    }
    Objects.requireNonNull(policy, "policy");
  }

  /** EIP-712 hashStruct(receipt). */
  public Bytes structHash() {
    return encodeStruct().hash();
  }

  // The first 136 bytes hashed (type hash, model, engine id and version, 8 bytes of the engine
  // config digest) are the same for all receipts of one model on one engine, so the sponge state
  // after them is remembered: one of the four permutations of the struct hash saved.
  private static final Keccak.FirstBlockCache FIRST_BLOCKS = new Keccak.FirstBlockCache(32);

  // The 14 members written into the one 480-byte buffer that gets hashed.
  private Eip712.StructEncoder encodeStruct() {
    return Eip712.struct(TYPEHASH, 14, FIRST_BLOCKS)
        .bytes32(modelDigest.value())
        .word(repeatedString(engineId))
        .word(repeatedString(engineVersion))
        .bytes32(engineConfigDigest.value())
        .uint(numericModeCode(numericMode))
        .bytes32(inputDigest.value())
        .bytes32(outputDigest.value())
        .bytes32(traceRoot.value())
        .uint(traceLeaves)
        .address(node)
        .string(requestId)
        .uint(timeMillis)
        .word(repeatedString(policy.text()))
        .uint(seed);
  }

  // A node's receipts repeat the engine id, version and policy text; remembering their Keccak
  // hashes saves three of the nine Keccak permutations of a signing digest. The strings are
  // short tokens and few; the bound only guards against unusual callers.
  private static final Map<String, byte[]> STRING_HASHES = new ConcurrentHashMap<>();

  private static byte[] repeatedString(String s) {
    byte[] h = STRING_HASHES.get(s);
    if (h == null) {
      if (STRING_HASHES.size() > 256) {
        STRING_HASHES.clear();
      }
      h = Eip712.string(s);
      STRING_HASHES.put(s, h);
    }
    return h;
  }

  /** The digest a node signs: keccak256(0x1901 || domainSeparator || structHash). */
  public Bytes signingDigest(ReceiptDomain domain) {
    return Eip712.digest(domain.separator(), encodeStruct());
  }

  /** 0 = bitwise, 1 = tolerance (a Solidity enum in declaration order). */
  public static int numericModeCode(NumericMode mode) {
    return switch (mode) {
      case BITWISE -> 0;
      case TOLERANCE -> 1;
    };
  }

  public static NumericMode numericModeOf(int code) {
    return switch (code) {
      case 0 -> NumericMode.BITWISE;
      case 1 -> NumericMode.TOLERANCE;
      default -> throw new IllegalArgumentException("unknown numeric mode code " + code);
    };
  }

  /**
   * SHA-256 over the pinned engine settings in key order, each key and value as a 4-byte big-endian
   * length followed by its UTF-8 bytes.
   */
  public static Digest engineConfigDigest(SortedMap<String, String> config) {
    MessageDigest md = Digest.newSha256();
    for (Map.Entry<String, String> e : config.entrySet()) {
      for (String s : new String[] {e.getKey(), e.getValue()}) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(ByteBuffer.allocate(4).putInt(b.length).array());
        md.update(b);
      }
    }
    return new Digest(Bytes.copyOf(md.digest()));
  }

  // Every receipt of a node names one of a few engines; an EngineInfo is immutable (its config is
  // an unmodifiable copy), so its config digest can be remembered instead of hashed per receipt.
  private static final Map<EngineInfo, Digest> CONFIG_DIGESTS = new ConcurrentHashMap<>();

  private static Digest configDigestOf(EngineInfo info) {
    // A node passes the same EngineInfo instance for every request of an engine: compare
    // identities first, since hashing the record walks its config map.
    ConfigDigest last = lastConfigDigest;
    if (last != null && last.info() == info) {
      return last.digest();
    }
    Digest d = CONFIG_DIGESTS.get(info);
    if (d == null) {
      if (CONFIG_DIGESTS.size() > 64) {
        CONFIG_DIGESTS.clear();
      }
      d = engineConfigDigest(info.config());
      CONFIG_DIGESTS.put(info, d);
    }
    lastConfigDigest = new ConfigDigest(info, d);
    return d;
  }

  private record ConfigDigest(EngineInfo info, Digest digest) {}

  private static volatile ConfigDigest lastConfigDigest;

  public static Builder builder() {
    return new Builder();
  }

  static void checkToken(String s, String field, int max) {
    Objects.requireNonNull(s, field);
    if (s.isEmpty() || s.length() > max) {
      throw new IllegalArgumentException(field + " must have 1 to " + max + " characters");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(
            field + " must be printable ASCII without spaces; bad character at " + i);
      }
    }
  }

  /** Collects the fields a node knows at different moments of a request. */
  public static final class Builder {
    private Digest modelDigest;
    private String engineId;
    private String engineVersion;
    private Digest engineConfigDigest;
    private NumericMode numericMode;
    private Digest inputDigest;
    private Digest outputDigest;
    private Digest traceRoot = NO_TRACE;
    private long traceLeaves;
    private EthAddress node;
    private String requestId;
    private long timeMillis = -1;
    private VerificationPolicy policy = VerificationPolicy.NONE;
    private long seed;

    private Builder() {}

    public Builder model(Digest manifestDigest) {
      this.modelDigest = manifestDigest;
      return this;
    }

    /** Engine id, version, digest of the pinned config and numeric mode. */
    public Builder engine(EngineInfo info) {
      this.engineId = info.id();
      this.engineVersion = info.version();
      this.engineConfigDigest = configDigestOf(info);
      this.numericMode = info.numericMode();
      return this;
    }

    public Builder engine(String id, String version, Digest configDigest, NumericMode mode) {
      this.engineId = id;
      this.engineVersion = version;
      this.engineConfigDigest = configDigest;
      this.numericMode = mode;
      return this;
    }

    public Builder input(Digest d) {
      this.inputDigest = d;
      return this;
    }

    public Builder output(Digest d) {
      this.outputDigest = d;
      return this;
    }

    /** A commitment over no tensors counts as no trace (zero root, 0 leaves). */
    public Builder trace(TraceCommitment t) {
      this.traceRoot = t.leafCount() == 0 ? NO_TRACE : t.root();
      this.traceLeaves = t.leafCount();
      return this;
    }

    public Builder trace(Digest root, long leaves) {
      this.traceRoot = root;
      this.traceLeaves = leaves;
      return this;
    }

    public Builder node(EthAddress a) {
      this.node = a;
      return this;
    }

    public Builder requestId(String id) {
      this.requestId = id;
      return this;
    }

    public Builder timeMillis(long t) {
      this.timeMillis = t;
      return this;
    }

    public Builder policy(VerificationPolicy p) {
      this.policy = p;
      return this;
    }

    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    public Receipt build() {
      return new Receipt(
          modelDigest,
          engineId,
          engineVersion,
          engineConfigDigest,
          numericMode,
          inputDigest,
          outputDigest,
          traceRoot,
          traceLeaves,
          node,
          requestId,
          timeMillis,
          policy,
          seed);
    }
  }
}

package dev.verity.receipt.eth;

import dev.verity.core.Bytes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** EIP-712 encoding helpers: every encoded member is one 32-byte word. */
public final class Eip712 {
  public static final String DOMAIN_TYPE =
      "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
  public static final Bytes DOMAIN_TYPEHASH = typeHash(DOMAIN_TYPE);

  /** Bytes of one encoded member. */
  public static final int WORD = 32;

  private Eip712() {}

  public static Bytes typeHash(String encodedType) {
    return Bytes.copyOf(Keccak.keccak256(encodedType.getBytes(StandardCharsets.UTF_8)));
  }

  /** {@code string} members are encoded as keccak256 of their UTF-8 bytes. */
  public static byte[] string(String s) {
    return Keccak.keccak256(s.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code address}: 12 zero bytes then the 20 address bytes. */
  public static byte[] address(EthAddress a) {
    byte[] out = new byte[WORD];
    a.value().copyTo(out, 12);
    return out;
  }

  /** {@code uintN}: big-endian, left-padded; {@code v} is read as unsigned 64-bit. */
  public static byte[] uint(long v) {
    byte[] out = new byte[WORD];
    writeUint(out, 0, v);
    return out;
  }

  public static byte[] uint(BigInteger v) {
    if (v.signum() < 0 || v.bitLength() > 256) {
      throw new IllegalArgumentException("not a uint256: " + v);
    }
    byte[] b = v.toByteArray();
    byte[] out = new byte[WORD];
    int n = Math.min(b.length, WORD);
    System.arraycopy(b, b.length - n, out, WORD - n, n);
    return out;
  }

  /** {@code bytes32}. */
  public static byte[] bytes32(Bytes b) {
    checkBytes32(b);
    return b.toByteArray();
  }

  /** hashStruct = keccak256(typeHash || encodeData). */
  public static Bytes hashStruct(Bytes typeHash, byte[]... words) {
    StructEncoder s = struct(typeHash, words.length);
    for (byte[] w : words) {
      s.word(w);
    }
    return s.hash();
  }

  /**
   * An encoder for hashStruct(typeHash, {@code members} words), the members to be added in order.
   */
  public static StructEncoder struct(Bytes typeHash, int members) {
    return new StructEncoder(typeHash, members, null);
  }

  /**
   * Like {@link #struct(Bytes, int)}, hashing through {@code firstBlocks}: worth it for a type
   * whose first 136 encoded bytes (type hash and the first members) repeat across many structs.
   */
  public static StructEncoder struct(
      Bytes typeHash, int members, Keccak.FirstBlockCache firstBlocks) {
    return new StructEncoder(typeHash, members, Objects.requireNonNull(firstBlocks, "firstBlocks"));
  }

  public static Bytes domainSeparator(
      String name, String version, BigInteger chainId, EthAddress verifyingContract) {
    return hashStruct(
        DOMAIN_TYPEHASH, string(name), string(version), uint(chainId), address(verifyingContract));
  }

  /** keccak256(0x19 0x01 || domainSeparator || structHash): the digest that gets signed. */
  public static Bytes digest(Bytes domainSeparator, Bytes structHash) {
    checkBytes32(structHash);
    byte[] message = digestInput(domainSeparator);
    structHash.copyTo(message, 2 + WORD);
    return Bytes.copyOf(hash(message));
  }

  /** {@link #digest(Bytes, Bytes)} of the struct {@code struct} holds, without a Bytes between. */
  public static Bytes digest(Bytes domainSeparator, StructEncoder struct) {
    byte[] message = digestInput(domainSeparator);
    struct.hashInto(message, 2 + WORD);
    return Bytes.copyOf(hash(message));
  }

  /** 0x19 0x01 || domainSeparator, with room for the struct hash after it. */
  private static byte[] digestInput(Bytes domainSeparator) {
    checkBytes32(domainSeparator);
    byte[] message = new byte[2 + 2 * WORD];
    message[0] = 0x19;
    message[1] = 0x01;
    domainSeparator.copyTo(message, 2);
    return message;
  }

  private static byte[] hash(byte[] message) {
    byte[] out = new byte[Keccak.DIGEST_LENGTH];
    Keccak.keccak256(message, 0, message.length, out, 0);
    return out;
  }

  private static void checkBytes32(Bytes b) {
    if (b.length() != WORD) {
      throw new IllegalArgumentException("bytes32 needs 32 bytes, got " + b.length());
    }
  }

  private static void writeUint(byte[] out, int wordOffset, long v) {
    for (int i = 0; i < 8; i++) {
      out[wordOffset + WORD - 1 - i] = (byte) (v >>> (8 * i));
    }
  }

  /**
   * Writes typeHash || encodeData straight into the one buffer that gets hashed, so a struct costs
   * one array and each member is copied once. Members must be added in the order of the type.
   */
  public static final class StructEncoder {
    private final byte[] encoded;
    private final Keccak.FirstBlockCache firstBlocks; // null: hash without one
    private int position;

    private StructEncoder(Bytes typeHash, int members, Keccak.FirstBlockCache firstBlocks) {
      if (members < 0) {
        throw new IllegalArgumentException("a struct has 0 or more members, got " + members);
      }
      checkBytes32(typeHash);
      encoded = new byte[WORD * (members + 1)];
      typeHash.copyTo(encoded, 0);
      position = WORD;
      this.firstBlocks = firstBlocks;
    }

    /** A member already encoded as one word. */
    public StructEncoder word(byte[] word) {
      if (word.length != WORD) {
        throw new IllegalArgumentException(
            "member " + member() + " is not one 32-byte word (" + word.length + " bytes)");
      }
      System.arraycopy(word, 0, encoded, reserve(), WORD);
      return this;
    }

    public StructEncoder bytes32(Bytes b) {
      checkBytes32(b);
      b.copyTo(encoded, reserve());
      return this;
    }

    /** A {@code uintN} member, N <= 64, {@code v} read as unsigned. */
    public StructEncoder uint(long v) {
      writeUint(encoded, reserve(), v);
      return this;
    }

    public StructEncoder address(EthAddress a) {
      a.value().copyTo(encoded, reserve() + 12);
      return this;
    }

    /** A {@code string} member: keccak256 of its UTF-8 bytes, hashed into place. */
    public StructEncoder string(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      Keccak.keccak256(utf8, 0, utf8.length, encoded, reserve());
      return this;
    }

    /** hashStruct as a value. */
    public Bytes hash() {
      byte[] out = new byte[Keccak.DIGEST_LENGTH];
      hashInto(out, 0);
      return Bytes.copyOf(out);
    }

    /** Writes hashStruct into {@code out[offset, offset + 32)}. */
    public void hashInto(byte[] out, int offset) {
      byte[] all = complete();
      if (firstBlocks == null) {
        Keccak.keccak256(all, 0, all.length, out, offset);
      } else {
        firstBlocks.keccak256(all, 0, all.length, out, offset);
      }
    }

    // Reserves the next word; returns its offset in the buffer.
    private int reserve() {
      if (position == encoded.length) {
        throw new IllegalStateException(
            "struct has " + (encoded.length / WORD - 1) + " members; no room for another");
      }
      position += WORD;
      return position - WORD;
    }

    private int member() {
      return position / WORD - 1;
    }

    private byte[] complete() {
      if (position != encoded.length) {
        throw new IllegalStateException(
            "struct has "
                + (encoded.length / WORD - 1)
                + " members but only "
                + member()
                + " were added");
      }
      return encoded;
    }
  }
}

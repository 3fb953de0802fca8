package dev.verity.llm.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The byte-level BPE tokenizer of llama2.c: encoding splits UTF-8 text into code points (bytes with
 * no vocabulary entry fall back to byte tokens), then repeatedly merges the adjacent pair whose
 * concatenation is in the vocabulary with the highest score (the leftmost on ties). Vocabulary
 * entries are byte strings; immutable and thread-safe.
 */
public final class Tokenizer {
  /** Longest accepted vocabulary entry, in bytes. */
  public static final int MAX_TOKEN_BYTES = 1 << 12;

  private final byte[][] vocab;
  private final float[] scores;
  private final int bos;
  private final int eos;
  private final int[] byteTokens;
  private final int[] byteOfToken;
  private final Map<String, Integer> lookup;
  private final int dummyPrefix;

  /**
   * @param vocab token byte strings; a token spelled {@code <0xXX>} stands for the raw byte XX
   * @param scores merge priority per token
   * @param bos beginning-of-sequence token, prepended to every encoding
   * @param eos end-of-sequence token
   */
  public Tokenizer(List<byte[]> vocab, float[] scores, int bos, int eos) {
    Objects.requireNonNull(vocab, "vocab");
    if (vocab.isEmpty() || vocab.size() != scores.length) {
      throw new IllegalArgumentException(
          "tokenizer needs one score per token: "
              + vocab.size()
              + " tokens, "
              + scores.length
              + " scores");
    }
    int n = vocab.size();
    if (bos < 0 || bos >= n || eos < 0 || eos >= n) {
      throw new IllegalArgumentException(
          "bos " + bos + " or eos " + eos + " is outside the vocabulary of " + n);
    }
    this.vocab = new byte[n][];
    this.scores = scores.clone();
    this.bos = bos;
    this.eos = eos;
    this.byteTokens = new int[256];
    Arrays.fill(byteTokens, -1);
    this.byteOfToken = new int[n];
    Arrays.fill(byteOfToken, -1);
    this.lookup = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      byte[] t = Objects.requireNonNull(vocab.get(i), "token " + i).clone();
      if (t.length > MAX_TOKEN_BYTES) {
        throw new IllegalArgumentException(
            "token " + i + " is " + t.length + " bytes, over the limit of " + MAX_TOKEN_BYTES);
      }
      this.vocab[i] = t;
      // With duplicate spellings the lowest id wins, so lookups are deterministic.
      lookup.putIfAbsent(key(t, 0, t.length), i);
      int b = byteTokenValue(t);
      if (b >= 0) {
        byteOfToken[i] = b;
        if (byteTokens[b] < 0) {
          byteTokens[b] = i;
        }
      }
    }
    Integer space = lookup.get(" ");
    this.dummyPrefix = space == null ? -1 : space;
  }

  public int vocabSize() {
    return vocab.length;
  }

  public int bos() {
    return bos;
  }

  public int eos() {
    return eos;
  }

  /** The vocabulary entry of {@code token} as bytes (a copy). */
  public byte[] piece(int token) {
    return vocab[checkToken(token)].clone();
  }

  public float score(int token) {
    return scores[checkToken(token)];
  }

  /**
   * Encodes like llama2.c's {@code encode(text, bos=1, eos=0)}: BOS, then (for non-empty text) the
   * dummy-prefix token " ", then the merged BPE tokens of the text's UTF-8 bytes.
   */
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] tokens = new int[bytes.length + 3];
    int n = 0;
    tokens[n++] = bos;
    if (bytes.length > 0) {
      if (dummyPrefix >= 0) {
        tokens[n++] = dummyPrefix;
      } else {
        n = appendBytes(tokens, n, new byte[] {' '}, 0, 1);
      }
    }
    int i = 0;
    while (i < bytes.length) {
      // One UTF-8 code point: a lead byte and up to three continuation bytes (as llama2.c).
      int len = 1;
      while (i + len < bytes.length && (bytes[i + len] & 0xC0) == 0x80 && len < 4) {
        len++;
      }
      Integer id = lookup.get(key(bytes, i, len));
      if (id != null) {
        tokens[n++] = id;
      } else {
        n = appendBytes(tokens, n, bytes, i, len);
      }
      i += len;
    }
    return Arrays.copyOf(tokens, merge(tokens, n));
  }

  /** Applies the best-scoring merges in place; returns the new length. */
  private int merge(int[] tokens, int n) {
    StringBuilder sb = new StringBuilder();
    while (true) {
      float bestScore = -1e10f;
      int bestId = -1;
      int bestIdx = -1;
      for (int i = 0; i < n - 1; i++) {
        sb.setLength(0);
        appendKey(sb, vocab[tokens[i]]);
        appendKey(sb, vocab[tokens[i + 1]]);
        Integer id = lookup.get(sb.toString());
        if (id != null && scores[id] > bestScore) {
          bestScore = scores[id];
          bestId = id;
          bestIdx = i;
        }
      }
      if (bestIdx < 0) {
        break;
      }
      tokens[bestIdx] = bestId;
      System.arraycopy(tokens, bestIdx + 2, tokens, bestIdx + 1, n - bestIdx - 2);
      n--;
    }
    return n;
  }

  private int appendBytes(int[] tokens, int n, byte[] bytes, int from, int len) {
    for (int j = 0; j < len; j++) {
      int b = bytes[from + j] & 0xFF;
      int t = byteTokens[b];
      if (t < 0) {
        throw new IllegalArgumentException(
            "text contains byte 0x"
                + Integer.toHexString(b)
                + " that the vocabulary cannot represent (no byte-fallback token)");
      }
      tokens[n++] = t;
    }
    return n;
  }

  /**
   * The bytes {@code token} contributes after {@code previous}, as llama2.c's decode: a leading
   * space right after BOS is dropped, and {@code <0xXX>} tokens are the raw byte.
   */
  public byte[] decode(int previous, int token) {
    byte[] piece = vocab[checkToken(token)];
    if (byteOfToken[token] >= 0) {
      return new byte[] {(byte) byteOfToken[token]};
    }
    if (previous == bos && piece.length > 0 && piece[0] == ' ') {
      return Arrays.copyOfRange(piece, 1, piece.length);
    }
    return piece.clone();
  }

  /**
   * Decodes a whole sequence to text: each token's {@link #decode} bytes after its predecessor (the
   * first token has no predecessor and is skipped if it is BOS), then UTF-8 with malformed input
   * replaced by U+FFFD.
   */
  public String decodeAll(int[] tokens) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int prev = -1;
    for (int t : tokens) {
      if (!(prev == -1 && t == bos)) {
        out.writeBytes(decode(prev, t));
      }
      prev = t;
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private int checkToken(int token) {
    if (token < 0 || token >= vocab.length) {
      throw new IllegalArgumentException(
          "token " + token + " is outside the vocabulary of " + vocab.length);
    }
    return token;
  }

  /** {@code <0xXX>} with two upper-case hex digits, as written by llama2.c and sentencepiece. */
  private static int byteTokenValue(byte[] t) {
    if (t.length != 6 || t[0] != '<' || t[1] != '0' || t[2] != 'x' || t[5] != '>') {
      return -1;
    }
    int hi = Character.digit(t[3], 16);
    int lo = Character.digit(t[4], 16);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }

  // Byte strings become Java strings one char per byte, so equality is byte equality.
  private static String key(byte[] b, int from, int len) {
    return new String(b, from, len, StandardCharsets.ISO_8859_1);
  }

  private static void appendKey(StringBuilder sb, byte[] b) {
    for (byte x : b) {
      sb.append((char) (x & 0xFF));
    }
  }
}

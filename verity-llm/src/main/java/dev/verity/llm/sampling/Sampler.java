package dev.verity.llm.sampling;

import dev.verity.llm.transformer.Transformer;
import java.util.Arrays;

/**
 * Chooses the next token from logits, as llama2.c's sampler with a specified generator.
 *
 * <ul>
 *   <li>temperature 0: greedy argmax, the lowest index on ties;
 *   <li>otherwise every logit is divided by the temperature (float division), softmax is taken (see
 *       {@link Transformer#softmax}), and one coin {@code u = SplitMix64.floatAt(seed, i)} is drawn
 *       for the i-th sampled token of the request;
 *   <li>with top-p in (0, 1): tokens with probability ≥ (1 − p)/(n − 1) are sorted by probability
 *       descending then index ascending; the prefix is cut after the first entry where the running
 *       sum exceeds p; the token is the first in that prefix whose running sum exceeds u·(prefix
 *       sum), else the prefix's last token;
 *   <li>top-p outside (0, 1): the first token whose running sum of probabilities exceeds u, else
 *       the last token.
 * </ul>
 *
 * <p>If no probability reaches the top-p cutoff (only possible for tiny p), the argmax is chosen.
 *
 * <p>All sums run in index (or sorted) order in float32. Not thread-safe: one per request.
 */
public final class Sampler {
  private final float temperature;
  private final float topP;
  private final long seed;
  private long draws;
  private final int[] order;
  private final long[] keys;

  public Sampler(int vocabSize, float temperature, float topP, long seed) {
    if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be finite and >= 0: " + temperature);
    }
    if (!(topP >= 0f && topP <= 1f)) {
      throw new IllegalArgumentException("top_p must be in [0, 1]: " + topP);
    }
    this.temperature = temperature;
    this.topP = topP;
    this.seed = seed;
    this.order = new int[vocabSize];
    this.keys = new long[vocabSize];
  }

  /** Makes the next coin number {@code index}, to re-check the index-th sampled token alone. */
  public void skipTo(long index) {
    if (index < 0) {
      throw new IllegalArgumentException("coin index must be non-negative: " + index);
    }
    draws = index;
  }

  /** Number of coins drawn so far (the index of the next one). */
  public long draws() {
    return draws;
  }

  /** Samples from {@code logits[0..n)}; may overwrite them with probabilities. */
  public int sample(float[] logits, int n) {
    if (temperature == 0f) {
      return argmax(logits, n);
    }
    for (int i = 0; i < n; i++) {
      logits[i] /= temperature;
    }
    Transformer.softmax(logits, n);
    float coin = SplitMix64.floatAt(seed, draws++);
    if (topP <= 0f || topP >= 1f) {
      return sampleMult(logits, n, coin);
    }
    return sampleTopP(logits, n, coin);
  }

  public static int argmax(float[] p, int n) {
    int best = 0;
    float max = p[0];
    for (int i = 1; i < n; i++) {
      if (p[i] > max) {
        max = p[i];
        best = i;
      }
    }
    return best;
  }

  static int sampleMult(float[] p, int n, float coin) {
    float cdf = 0f;
    for (int i = 0; i < n; i++) {
      cdf += p[i];
      if (coin < cdf) {
        return i;
      }
    }
    return n - 1;
  }

  private int sampleTopP(float[] p, int n, float coin) {
    if (n == 1) {
      return 0;
    }
    float cutoff = (1.0f - topP) / (n - 1);
    int n0 = 0;
    for (int i = 0; i < n; i++) {
      if (p[i] >= cutoff) {
        // Probabilities are non-negative, so their float bits order like the values; sorting the
        // key (bits descending, index ascending) is a total, deterministic order.
        keys[n0++] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits(p[i])) << 32) | i;
      }
    }
    if (n0 == 0) {
      // Possible only for tiny top_p; the most probable token is then the whole nucleus.
      return argmax(p, n);
    }
    Arrays.sort(keys, 0, n0);
    for (int i = 0; i < n0; i++) {
      order[i] = (int) keys[i];
    }
    float cumulative = 0f;
    int last = n0 - 1;
    for (int i = 0; i < n0; i++) {
      cumulative += p[order[i]];
      if (cumulative > topP) {
        last = i;
        break;
      }
    }
    float r = coin * cumulative;
    float cdf = 0f;
    for (int i = 0; i <= last; i++) {
      cdf += p[order[i]];
      if (r < cdf) {
        return order[i];
      }
    }
    return order[last];
  }
}

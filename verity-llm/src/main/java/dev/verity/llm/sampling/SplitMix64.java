package dev.verity.llm.sampling;

/**
 * SplitMix64 (Steele, Lea, Flood 2014), the portable generator behind sampling. Value number i (i =
 * 0, 1, ...) of seed s is {@code mix(s + (i + 1) · 0x9E3779B97F4A7C15)} in 64-bit wrapping
 * arithmetic, where {@code mix(z) = z ^= z >>> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >>> 27; z *=
 * 0x94D049BB133111EB; z ^= z >>> 31}. It is counter based, so draw i can be recomputed alone.
 */
public final class SplitMix64 {
  static final long GAMMA = 0x9E3779B97F4A7C15L;

  private final long seed;
  private long counter;

  public SplitMix64(long seed) {
    this.seed = seed;
  }

  /** Value number {@code index} of {@code seed}. */
  public static long valueAt(long seed, long index) {
    long z = seed + (index + 1) * GAMMA;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A float in [0, 1): the top 24 bits of value {@code index} times 2^-24 (exact). */
  public static float floatAt(long seed, long index) {
    return (valueAt(seed, index) >>> 40) * 0x1.0p-24f;
  }

  public long nextLong() {
    return valueAt(seed, counter++);
  }

  public float nextFloat() {
    return floatAt(seed, counter++);
  }

  /** How many values have been drawn. */
  public long drawn() {
    return counter;
  }
}

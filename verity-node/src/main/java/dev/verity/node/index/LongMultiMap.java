package dev.verity.node.index;

/**
 * 64-bit keys to non-negative 64-bit values in two arrays (open addressing, linear probing), about
 * 27–53 bytes of heap per entry (16 per slot, 30–60 % full) where a {@code HashMap} of boxed or
 * string keys takes 100 to 150. Keys are expected to be hashes already (their low bits pick the
 * slot) and may repeat: a key is a hint, and callers confirm each candidate value against what it
 * stands for. Not thread-safe.
 */
public final class LongMultiMap {
  private static final double MAX_LOAD = 0.6;

  private long[] keys;
  private long[] values; // value + 1; 0 marks an empty slot
  private int size;

  public LongMultiMap() {
    this(1024);
  }

  public LongMultiMap(int initialCapacity) {
    int cap = Integer.highestOneBit(Math.max(16, initialCapacity - 1)) << 1;
    keys = new long[cap];
    values = new long[cap];
  }

  public int size() {
    return size;
  }

  /** Adds {@code key -> value}, also when the key is present already. */
  public void put(long key, long value) {
    if (value < 0 || value == Long.MAX_VALUE) {
      throw new IllegalArgumentException("value must be in [0, 2^63 - 1), got " + value);
    }
    if (size + 1 > keys.length * MAX_LOAD) {
      grow();
    }
    insert(keys, values, key, value + 1);
    size++;
  }

  /**
   * The values under {@code key} at this moment, in no set order, to confirm without holding the
   * caller's lock.
   */
  public long[] candidates(long key) {
    long[] found = new long[4];
    int n = 0;
    int mask = keys.length - 1;
    for (int i = (int) key & mask; values[i] != 0; i = (i + 1) & mask) {
      if (keys[i] == key) {
        if (n == found.length) {
          found = java.util.Arrays.copyOf(found, n * 2);
        }
        found[n++] = values[i] - 1;
      }
    }
    return java.util.Arrays.copyOf(found, n);
  }

  private static void insert(long[] keys, long[] values, long key, long storedValue) {
    int mask = keys.length - 1;
    int i = (int) key & mask;
    while (values[i] != 0) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = storedValue;
  }

  private void grow() {
    if (keys.length >= 1 << 30) {
      throw new IllegalStateException("index holds " + size + " entries, its limit");
    }
    long[] k = new long[keys.length * 2];
    long[] v = new long[keys.length * 2];
    for (int i = 0; i < keys.length; i++) {
      if (values[i] != 0) {
        insert(k, v, keys[i], values[i]);
      }
    }
    keys = k;
    values = v;
  }
}

package dev.verity.engine.strict.trace;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.TraceMerkle;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.ops.Nd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The strict engine's trace commitment: one RFC 9162 leaf per node output in execution order (leaf
 * bytes defined by {@link TraceOpening#leafBytes}; see docs/TRACE.md). An openable trace keeps the
 * committed tensors so any leaf can be opened with its inclusion proof; a root-only trace keeps
 * just the leaf hashes.
 *
 * <p>Leaves are hashed by streaming the leaf prefix and then the elements in little-endian chunks
 * straight from the engine's arrays, with the same bytes {@link TraceOpening#leafBytes} builds
 * (NaNs in their canonical form, as {@link Nd#toTensor} writes them).
 */
public final class StrictTrace implements TraceCommitment {
  /** {@code value} is null in a root-only trace. */
  private record Leaf(int nodeIndex, String nodeName, String outputName, Nd value) {}

  private final List<Leaf> leaves;
  private final List<Digest> hashes;
  private final boolean openable;
  private final Digest root;

  private StrictTrace(List<Leaf> leaves, List<Digest> hashes, boolean openable) {
    this.leaves = List.copyOf(leaves);
    this.hashes = List.copyOf(hashes);
    this.openable = openable;
    this.root = TraceMerkle.root(hashes);
  }

  @Override
  public Digest root() {
    return root;
  }

  @Override
  public long leafCount() {
    return leaves.size();
  }

  /** Whether {@link #open} can return leaves (the run kept its committed tensors). */
  public boolean openable() {
    return openable;
  }

  /** The hash of leaf {@code i}. */
  public Digest leafHash(int i) {
    return hashes.get(i);
  }

  /** Index of the leaf committing to value {@code outputName}, or -1. */
  public int indexOf(String outputName) {
    for (int i = 0; i < leaves.size(); i++) {
      if (leaves.get(i).outputName.equals(outputName)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public TraceOpening open(long leafIndex) {
    if (!openable) {
      throw new UnsupportedOperationException(
          "this trace keeps only its root and leaf hashes; run with RunOptions.WITH_TRACE to open"
              + " leaves");
    }
    if (leafIndex < 0 || leafIndex >= leaves.size()) {
      throw new IllegalArgumentException(
          "leaf " + leafIndex + " outside a trace of " + leaves.size() + " leaves");
    }
    Leaf l = leaves.get((int) leafIndex);
    return new TraceOpening(
        leafIndex,
        leaves.size(),
        l.nodeIndex,
        l.nodeName,
        l.outputName,
        l.value.toTensor(),
        TraceMerkle.inclusionPath(hashes, (int) leafIndex));
  }

  /**
   * The hash of one leaf, the same as {@code TraceMerkle.leafHash(TraceOpening.leafBytes(...,
   * value.toTensor()))} without building either byte array.
   */
  public static Digest leafHash(
      long leafIndex, int nodeIndex, String nodeName, String outputName, Nd value) {
    return new LeafHasher().hash(leafIndex, nodeIndex, nodeName, outputName, value);
  }

  /** Streams leaves into one reusable SHA-256 through one small chunk buffer. */
  private static final class LeafHasher {
    /** Large enough to amortise each digest update call, small enough to stay in L1. */
    private static final int CHUNK = 8192;

    private static final VarHandle INT_LE =
        MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE =
        ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE_LE =
        ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE =
        MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final MessageDigest md = Digest.newSha256();
    private final byte[] chunk = new byte[CHUNK];
    private final MemorySegment chunkSegment = MemorySegment.ofArray(chunk);

    Digest hash(long leafIndex, int nodeIndex, String nodeName, String outputName, Nd value) {
      long[] shape = new long[value.shape.length];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = value.shape[i];
      }
      md.reset();
      md.update((byte) 0x00);
      md.update(
          TraceOpening.leafPrefix(leafIndex, nodeIndex, nodeName, outputName, value.type, shape));
      switch (value.type) {
        case FLOAT32 -> floats(value.f);
        case FLOAT64 -> doubles(value.d);
        default -> integers(value.l, value.type.byteSize());
      }
      return new Digest(Bytes.copyOf(md.digest()));
    }

    // Float.floatToIntBits / Double.doubleToLongBits write every NaN in its canonical form, as
    // Nd.toTensor does.
    // A bulk copy then a scan that rewrites any NaN in its canonical form (what
    // Float.floatToIntBits / Double.doubleToLongBits and so Nd.toTensor write): cheaper than
    // converting element by element, and NaNs are rare.
    private void floats(float[] f) {
      for (int i = 0; i < f.length; ) {
        int n = Math.min(f.length - i, CHUNK / 4);
        MemorySegment.copy(f, i, chunkSegment, FLOAT_LE, 0, n);
        for (int k = 0; k < n; k++) {
          if (Float.isNaN(f[i + k])) {
            INT_LE.set(chunk, k * 4, Float.floatToIntBits(f[i + k]));
          }
        }
        md.update(chunk, 0, n * 4);
        i += n;
      }
    }

    private void doubles(double[] d) {
      for (int i = 0; i < d.length; ) {
        int n = Math.min(d.length - i, CHUNK / 8);
        MemorySegment.copy(d, i, chunkSegment, DOUBLE_LE, 0, n);
        for (int k = 0; k < n; k++) {
          if (Double.isNaN(d[i + k])) {
            LONG_LE.set(chunk, k * 8, Double.doubleToLongBits(d[i + k]));
          }
        }
        md.update(chunk, 0, n * 8);
        i += n;
      }
    }

    private void integers(long[] l, int width) {
      for (int i = 0; i < l.length; ) {
        int n = Math.min(l.length - i, CHUNK / width);
        for (int k = 0; k < n; k++) {
          long v = l[i + k];
          switch (width) {
            case 1 -> chunk[k] = (byte) v;
            case 2 -> SHORT_LE.set(chunk, k * 2, (short) v);
            case 4 -> INT_LE.set(chunk, k * 4, (int) v);
            default -> LONG_LE.set(chunk, k * 8, v);
          }
        }
        md.update(chunk, 0, n * width);
        i += n;
      }
    }
  }

  /**
   * Collects leaves while a run executes, hashing each one when it is added so that a root-only
   * trace holds no tensor.
   */
  public static final class Builder {
    private final boolean openable;
    private final List<Leaf> leaves = new ArrayList<>();
    private final List<Digest> hashes = new ArrayList<>();
    private final LeafHasher hasher = new LeafHasher();

    /**
     * @param openable keep every committed tensor so that leaves can be opened
     */
    public Builder(boolean openable) {
      this.openable = openable;
    }

    /** Whether this trace keeps the tensors it commits to (which must then stay unmodified). */
    public boolean openable() {
      return openable;
    }

    /** The index the next leaf will get. */
    public int size() {
      return leaves.size();
    }

    public void add(int nodeIndex, String nodeName, String outputName, Nd value) {
      Digest h = hasher.hash(leaves.size(), nodeIndex, nodeName, outputName, value);
      addHashed(nodeIndex, nodeName, outputName, value, h);
    }

    /**
     * Adds a leaf whose hash was computed earlier with {@link StrictTrace#leafHash} for this same
     * position (a constant output is the same leaf in every run).
     */
    public void addHashed(int nodeIndex, String nodeName, String outputName, Nd value, Digest h) {
      leaves.add(new Leaf(nodeIndex, nodeName, outputName, openable ? value : null));
      hashes.add(h);
    }

    public StrictTrace build() {
      return new StrictTrace(leaves, hashes, openable);
    }
  }
}

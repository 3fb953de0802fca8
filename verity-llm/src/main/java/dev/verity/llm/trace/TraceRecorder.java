package dev.verity.llm.trace;

import dev.verity.core.Digest;
import dev.verity.llm.transformer.Transformer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hashes every layer output as the forward pass produces it, without allocating per leaf unless
 * activations are retained. Call {@link #finish} once the generation ends.
 */
public final class TraceRecorder implements Transformer.LayerObserver {
  private final int layers;
  private final int dim;
  private final boolean retain;
  private final MessageDigest md = Digest.newSha256();
  private final ByteBuffer buf;
  private final List<byte[]> leafHashes = new ArrayList<>();
  private final List<float[]> activations;
  private int[] tokens = new int[16];
  private int positions;

  public TraceRecorder(int layers, int dim, boolean retainActivations) {
    this.layers = layers;
    this.dim = dim;
    this.retain = retainActivations;
    this.buf =
        ByteBuffer.allocate(1 + TraceLeaf.HEADER_BYTES + 4 * dim).order(ByteOrder.LITTLE_ENDIAN);
    this.activations = retainActivations ? new ArrayList<>() : null;
  }

  /** Declares the input token of the next position; call before its forward pass. */
  public void beginPosition(int position, int token) {
    if (position != positions) {
      throw new IllegalStateException("positions must be traced in order");
    }
    if (positions == tokens.length) {
      tokens = Arrays.copyOf(tokens, 2 * tokens.length);
    }
    tokens[positions++] = token;
  }

  @Override
  public void onLayerOutput(int position, int layer, float[] activation) {
    if (position != positions - 1 || leafHashes.size() != position * layers + layer) {
      throw new IllegalStateException("layer outputs must be traced in order");
    }
    buf.clear();
    buf.put((byte) 0x00);
    buf.order(ByteOrder.BIG_ENDIAN);
    buf.putInt(position).putInt(layer).putInt(tokens[position]).putInt(dim);
    buf.order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < dim; i++) {
      buf.putFloat(activation[i]);
    }
    md.reset();
    md.update(buf.array(), 0, buf.position());
    leafHashes.add(md.digest());
    if (retain) {
      activations.add(Arrays.copyOf(activation, dim));
    }
  }

  public GenerationTrace finish() {
    return new GenerationTrace(layers, Arrays.copyOf(tokens, positions), leafHashes, activations);
  }
}

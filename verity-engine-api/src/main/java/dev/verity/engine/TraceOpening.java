package dev.verity.engine;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One committed intermediate tensor of a run with its RFC 9162 inclusion proof.
 *
 * <p>Leaf bytes: {@code "VTRL"}, version {@code 0x01}, leaf index u64 LE, node index u32 LE, node
 * name length u32 LE + UTF-8 name, output name length u32 LE + UTF-8 name, then {@link
 * TensorEncoding#encode} of the tensor. Leaf hash {@code SHA-256(0x00 || leaf bytes)}; interior
 * hash {@code SHA-256(0x01 || left || right)}.
 *
 * @param leafIndex position of this leaf among all leaves (execution order)
 * @param leafCount number of leaves in the committed tree
 * @param nodeIndex index of the producing node in the engine's topological order
 * @param nodeName the node's name (may be empty)
 * @param outputName the node output's value name
 * @param tensor the committed tensor
 * @param path the audit path, from the leaf's sibling up to the root's child
 */
public record TraceOpening(
    long leafIndex,
    long leafCount,
    int nodeIndex,
    String nodeName,
    String outputName,
    Tensor tensor,
    List<Digest> path) {
  private static final byte[] LEAF_MAGIC = {'V', 'T', 'R', 'L'};

  public TraceOpening {
    if (leafCount <= 0 || leafIndex < 0 || leafIndex >= leafCount) {
      throw new IllegalArgumentException(
          "leaf index " + leafIndex + " outside a tree of " + leafCount + " leaves");
    }
    if (nodeIndex < 0) {
      throw new IllegalArgumentException("negative node index " + nodeIndex);
    }
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(outputName, "outputName");
    Objects.requireNonNull(tensor, "tensor");
    path = List.copyOf(path);
  }

  /** The exact bytes hashed into this leaf. */
  public Bytes leafBytes() {
    return Bytes.copyOf(leafBytes(leafIndex, nodeIndex, nodeName, outputName, tensor));
  }

  public static byte[] leafBytes(
      long leafIndex, int nodeIndex, String nodeName, String outputName, Tensor tensor) {
    byte[] n = nodeName.getBytes(StandardCharsets.UTF_8);
    byte[] o = outputName.getBytes(StandardCharsets.UTF_8);
    byte[] enc = TensorEncoding.encode(tensor);
    ByteBuffer b =
        ByteBuffer.allocate(4 + 1 + 8 + 4 + 4 + n.length + 4 + o.length + enc.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    putLeafFields(b, leafIndex, nodeIndex, n, o);
    b.put(enc);
    return b.array();
  }

  /**
   * The leaf bytes before the tensor's element data: the leaf fields and {@link
   * TensorEncoding#header}. {@code leafBytes} is this prefix followed by the little-endian
   * elements, so an engine can hash a leaf without materialising its encoding.
   */
  public static byte[] leafPrefix(
      long leafIndex,
      int nodeIndex,
      String nodeName,
      String outputName,
      DataType type,
      long[] shape) {
    byte[] n = nodeName.getBytes(StandardCharsets.UTF_8);
    byte[] o = outputName.getBytes(StandardCharsets.UTF_8);
    byte[] head = TensorEncoding.header(type, shape);
    ByteBuffer b =
        ByteBuffer.allocate(4 + 1 + 8 + 4 + 4 + n.length + 4 + o.length + head.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    putLeafFields(b, leafIndex, nodeIndex, n, o);
    b.put(head);
    return b.array();
  }

  private static void putLeafFields(
      ByteBuffer b, long leafIndex, int nodeIndex, byte[] nodeName, byte[] outputName) {
    b.put(LEAF_MAGIC).put(TensorEncoding.VERSION).putLong(leafIndex).putInt(nodeIndex);
    b.putInt(nodeName.length).put(nodeName).putInt(outputName.length).put(outputName);
  }

  /** Checks this opening against a committed root; throws naming the failed check. */
  public void verify(Digest root, long committedLeafCount) throws TraceVerificationException {
    if (committedLeafCount != leafCount) {
      throw new TraceVerificationException(
          "opening is for a tree of "
              + leafCount
              + " leaves, commitment has "
              + committedLeafCount);
    }
    Digest computed =
        TraceMerkle.rootFromPath(
            leafIndex, leafCount, TraceMerkle.leafHash(leafBytes().toByteArray()), path);
    if (!computed.equals(root)) {
      throw new TraceVerificationException(
          "inclusion proof for leaf "
              + leafIndex
              + " ("
              + nodeName
              + "/"
              + outputName
              + ") does not lead to root "
              + root);
    }
  }
}

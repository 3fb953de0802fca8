package dev.verity.llm.gguf;

import java.util.List;
import java.util.Objects;

/**
 * A tensor's description: name, dimensions with the fastest-varying first (ggml's ne[0] is the row
 * length), element type, and the absolute file offset and byte size of its data.
 */
public record GgufTensor(String name, List<Long> dims, GgmlType type, long offset, long bytes) {
  public GgufTensor {
    Objects.requireNonNull(name, "name");
    dims = List.copyOf(dims);
    Objects.requireNonNull(type, "type");
  }

  public long elements() {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  /** Row length: ne[0]. */
  public int rowLength() {
    return Math.toIntExact(dims.get(0));
  }

  /** Number of rows: the product of ne[1..]. */
  public int rowCount() {
    return Math.toIntExact(elements() / dims.get(0));
  }
}

package dev.verity.engine;

import java.util.List;
import java.util.Objects;

/**
 * A declared graph input or output. A dimension of {@code -1} is symbolic (unknown until run);
 * {@code dimNames} holds its symbolic name or an empty string.
 */
public record TensorSpec(String name, DataType type, List<Long> dims, List<String> dimNames) {
  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    dims = List.copyOf(dims);
    dimNames = List.copyOf(dimNames);
  }
}

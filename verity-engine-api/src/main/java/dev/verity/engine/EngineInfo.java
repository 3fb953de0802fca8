package dev.verity.engine;

import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What ran an inference: engine id (for example {@code strict} or {@code ort}), its version, the
 * pinned settings that affect output bits, and whether outputs are bitwise reproducible.
 */
public record EngineInfo(
    String id, String version, SortedMap<String, String> config, NumericMode numericMode) {
  public EngineInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(version, "version");
    config = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(config));
    Objects.requireNonNull(numericMode, "numericMode");
  }

  public static EngineInfo of(
      String id, String version, Map<String, String> config, NumericMode mode) {
    return new EngineInfo(id, version, new TreeMap<>(config), mode);
  }
}

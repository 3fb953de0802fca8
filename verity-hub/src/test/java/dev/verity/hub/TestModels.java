package dev.verity.hub;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixed keys, files and manifests shared by the hub tests. */
public final class TestModels {
  private TestModels() {}

  /** Golden publisher: the Ed25519 key whose RFC 8032 seed is the bytes 0x00..0x1f. */
  public static final SigningKey GOLDEN_KEY = seedKey(0x00);

  /** A second fixed key, seed bytes 0x20..0x3f. */
  public static final SigningKey OTHER_KEY = seedKey(0x20);

  /** The golden model's files and their exact content. */
  public static final Map<String, String> GOLDEN_FILES = goldenFiles();

  public static SigningKey seedKey(int first) {
    byte[] seed = new byte[32];
    for (int i = 0; i < 32; i++) {
      seed[i] = (byte) (first + i);
    }
    return SigningKey.fromSeed(Bytes.copyOf(seed));
  }

  private static Map<String, String> goldenFiles() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("README.md", "Golden test model for Verity manifests.\n");
    m.put("weights/model.onnx", "not really an onnx graph\n");
    return m;
  }

  /** The golden manifest: fixed content, parent, metadata and time; published by GOLDEN_KEY. */
  public static ModelManifest goldenManifest() {
    List<ManifestFile> files =
        GOLDEN_FILES.entrySet().stream()
            .map(
                e -> {
                  byte[] b = e.getValue().getBytes(StandardCharsets.UTF_8);
                  return new ManifestFile(e.getKey(), b.length, Digest.of(b));
                })
            .toList();
    return new ModelManifest(
        "golden-model",
        "1.0.0",
        ModelFormat.ONNX,
        files,
        Digest.of(Bytes.utf8("golden parent")),
        "MIT",
        "Golden test vector",
        "https://verity.dev/golden",
        Instant.parse("2026-01-01T00:00:00Z"),
        GOLDEN_KEY.verifyingKey());
  }

  /** Writes the golden model's files under {@code dir}. */
  public static Path writeGoldenFiles(Path dir) throws IOException {
    for (Map.Entry<String, String> e : GOLDEN_FILES.entrySet()) {
      Path f = dir.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue());
    }
    return dir;
  }

  /** The shared directory with real models ({@code verity.shared}, else ../shared). */
  public static Path shared() {
    String prop = System.getProperty("verity.shared");
    return prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
  }
}

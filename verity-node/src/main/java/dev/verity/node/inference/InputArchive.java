package dev.verity.node.inference;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.Digest;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TensorJson;
import dev.verity.node.http.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * Inference inputs by their digest ({@code inputs/<hex>.json}, tensors in base64), so a bundle
 * fetched later can carry them for re-execution. Written to a temporary file and renamed, so a
 * reader never sees half a file; not fsync'd, because the receipt does not depend on it and the
 * client already holds its input (after a power loss a bundle may come without its input).
 */
final class InputArchive {
  private final Path dir;

  InputArchive(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
  }

  void save(Digest digest, Map<String, Tensor> inputs) throws IOException {
    Path target = dir.resolve(digest.hex() + ".json");
    if (Files.exists(target)) {
      return;
    }
    byte[] json = Json.MAPPER.writeValueAsBytes(TensorJson.toJson(inputs, true));
    Path tmp = Files.createTempFile(dir, ".in-", ".tmp");
    try {
      Files.write(tmp, json);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  Optional<Map<String, Tensor>> load(Digest digest) throws IOException {
    Path f = dir.resolve(digest.hex() + ".json");
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    JsonNode n = Json.MAPPER.readTree(Files.readAllBytes(f));
    Map<String, Tensor> t = TensorJson.parseMap(n, "archived input", Long.MAX_VALUE);
    // A damaged file must not end up in a bundle as if it were the input.
    if (!TensorEncoding.digest(t).equals(digest)) {
      return Optional.empty();
    }
    return Optional.of(t);
  }
}

package dev.verity.explorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.client.ProgressListener;
import dev.verity.client.VerityClient;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.LocalFile;
import dev.verity.hub.publish.ModelHasher;
import dev.verity.hub.publish.ModelPublisher;
import dev.verity.hub.publish.PublishOptions;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Real data for the explorer: models from the shared directory, published and run on a node. */
final class Fixture {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Fixture() {}

  static Path shared() {
    String p = System.getProperty("verity.shared");
    if (p != null && Files.isDirectory(Path.of(p))) {
      return Path.of(p);
    }
    for (Path c : new Path[] {Path.of("../../shared"), Path.of("../shared")}) {
      if (Files.isDirectory(c.resolve("models"))) {
        return c.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("shared models not found: set -Dverity.shared");
  }

  /** Publishes a model the way `verity model publish` does: sign, upload each blob, publish. */
  static SignedManifest publish(
      VerityClient client, SigningKey key, Path path, String name, String version, PublishOptions o)
      throws Exception {
    SignedManifest signed = ModelPublisher.createManifest(path, name, version, o, key);
    Map<String, Path> local = new HashMap<>();
    for (LocalFile f : ModelHasher.listFiles(path)) {
      local.put(f.path(), f.file());
    }
    for (ManifestFile f : signed.manifest().files()) {
      if (client.blobSize(f.digest()).isEmpty()) {
        client.uploadBlob(f.digest(), local.get(f.path()), ProgressListener.NONE);
      }
    }
    client.publish(signed);
    return signed;
  }

  /** The first {@code n} MNIST test images as [1, 1, 28, 28] float32 in [0, 1]. */
  static float[][] mnistImages(int n) throws IOException {
    Path f = shared().resolve("datasets/mnist/t10k-images-idx3-ubyte.gz");
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(f)))) {
      if (in.readInt() != 0x803) {
        throw new IOException("not an idx3 image file: " + f);
      }
      in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      float[][] out = new float[n][rows * cols];
      for (int i = 0; i < n; i++) {
        for (int p = 0; p < rows * cols; p++) {
          out[i][p] = in.readUnsignedByte() / 255f;
        }
      }
      return out;
    }
  }

  /** POST /v1/infer on the node's public API; returns the JSON answer (outputs and receipt). */
  static JsonNode infer(URI node, String model, float[] image, String requestId) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    body.put("requestId", requestId);
    ObjectNode t = body.putObject("inputs").putObject("Input3");
    t.put("dtype", "float32");
    ArrayNode shape = t.putArray("shape");
    shape.add(1).add(1).add(28).add(28);
    ArrayNode data = t.putArray("data");
    for (float v : image) {
      data.add(v);
    }
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(node.resolve("/v1/infer"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("infer failed: " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  static JsonNode postJson(URI node, String path, String body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(node.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  static JsonNode getJson(URI node, String path) throws Exception {
    HttpResponse<InputStream> r =
        HTTP.send(
            HttpRequest.newBuilder(node.resolve(path)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (r.statusCode() != 200) {
        throw new IOException(path + ": " + r.statusCode() + " " + s);
      }
      return JSON.readTree(s);
    }
  }
}

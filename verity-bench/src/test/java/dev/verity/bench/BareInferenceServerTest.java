package dev.verity.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.engine.strict.StrictEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The baseline of {@code verity bench serve} computes what the strict engine computes. */
class BareInferenceServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void infer_mnistImage_answersTheStrictEnginesOutputs() throws Exception {
    Path shared = EngineBench.sharedDir();
    Path modelFile = shared.resolve("models/mnist/mnist-7.onnx");
    MnistIdx.Images images =
        MnistIdx.readImages(shared.resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));
    Tensor image = images.tensor(7);
    Map<String, Tensor> expected;
    String input;
    try (LoadedModel m =
        new StrictEngine().load(Files.readAllBytes(modelFile), EngineLimits.DEFAULT)) {
      input = m.inputs().get(0).name();
      expected = m.run(Map.of(input, image), RunOptions.DEFAULT).outputs();
    }
    // The body verity-client sends: base64 tensors, policy none, base64 outputs.
    ObjectNode body = JSON.createObjectNode();
    body.put("model", "mnist@7");
    body.put("engine", "strict");
    body.put("policy", "none");
    body.put("outputEncoding", "base64");
    body.set("inputs", TensorJson.toJson(Map.of(input, image), true));

    try (BareInferenceServer server = BareInferenceServer.start(modelFile, "127.0.0.1", 0);
        HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/infer"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode outputs = JSON.readTree(r.body()).get("outputs");
      Map<String, Tensor> actual = TensorJson.parseMap(outputs, "output", Long.MAX_VALUE);
      assertThat(actual.keySet()).isEqualTo(expected.keySet());
      for (String name : expected.keySet()) {
        assertThat(actual.get(name).shape()).isEqualTo(expected.get(name).shape());
        assertThat(actual.get(name).type()).isEqualTo(expected.get(name).type());
        assertThat(actual.get(name).data()).isEqualTo(expected.get(name).data());
      }
    }
  }
}

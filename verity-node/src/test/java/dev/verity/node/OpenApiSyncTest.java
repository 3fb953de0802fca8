package dev.verity.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.node.api.system.SystemApi;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.Json;
import dev.verity.node.http.Route;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /openapi.json documents exactly the routes the node serves. */
class OpenApiSyncTest {
  static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head");

  @Test
  void openApi_listsEveryRoute_andNothingElse(@TempDir Path dir) throws Exception {
    try (VerityNode node = VerityNode.start(NodeConfig.ephemeral(dir))) {
      Set<String> served = new TreeSet<>();
      for (Route r : node.routes()) {
        served.add(r.method() + " " + r.pattern());
      }
      HttpResponse<byte[]> resp =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(node.url().resolve("/openapi.json")).build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(resp.body()).isEqualTo(SystemApi.openApiDocument());
      JsonNode doc = Json.MAPPER.readTree(resp.body());
      assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
      Set<String> documented = new TreeSet<>();
      for (Iterator<String> paths = doc.get("paths").fieldNames(); paths.hasNext(); ) {
        String path = paths.next();
        for (Iterator<String> ops = doc.get("paths").get(path).fieldNames(); ops.hasNext(); ) {
          String op = ops.next();
          if (METHODS.contains(op)) {
            documented.add(op.toUpperCase(Locale.ROOT) + " " + path);
          }
        }
      }
      assertThat(documented).isEqualTo(served);
    }
  }

  @Test
  void openApi_everySchemaReferenceResolves() throws Exception {
    JsonNode doc = Json.MAPPER.readTree(SystemApi.openApiDocument());
    Set<String> refs = new TreeSet<>();
    collectRefs(doc, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).startsWith("#/");
      assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
    }
  }

  static void collectRefs(JsonNode n, Set<String> out) {
    if (n.isObject()) {
      n.properties()
          .forEach(
              e -> {
                if (e.getKey().equals("$ref")) {
                  out.add(e.getValue().asText());
                } else {
                  collectRefs(e.getValue(), out);
                }
              });
    } else if (n.isArray()) {
      n.forEach(c -> collectRefs(c, out));
    }
  }
}

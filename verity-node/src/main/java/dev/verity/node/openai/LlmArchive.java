package dev.verity.node.openai;

import dev.verity.core.Digest;
import dev.verity.node.NodeServices;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Json;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * LLM requests by their receipt input digest ({@code llm-inputs/<hex>.json}, {@link
 * LlmRequest#toJson}), so the request behind a receipt can be re-executed later: by an auditor
 * (served as {@code GET /v1/llm/requests/{inputDigest}}), by this node rebuilding its trace for a
 * dispute, and by referees through the dispute evidence. Written to a temporary file and renamed; a
 * file whose content does not digest to its name is treated as absent.
 */
public final class LlmArchive implements ApiModule {
  private final Path dir;

  public LlmArchive(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
  }

  /** The node's archive (one place, for the API that writes it and the dispute duties). */
  public static LlmArchive of(NodeServices services) throws IOException {
    return new LlmArchive(services.blobs().root().resolve("llm-inputs"));
  }

  public void save(LlmRequest request) throws IOException {
    Path target = dir.resolve(request.digest().hex() + ".json");
    if (Files.exists(target)) {
      return;
    }
    Path tmp = Files.createTempFile(dir, ".in-", ".tmp");
    try {
      Files.write(tmp, Json.MAPPER.writeValueAsBytes(request.toJson()));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public Optional<LlmRequest> load(Digest inputDigest) throws IOException {
    Path f = dir.resolve(inputDigest.hex() + ".json");
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    LlmRequest r;
    try {
      r = LlmRequest.parse(Json.MAPPER.readTree(Files.readAllBytes(f)));
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      return Optional.empty(); // damaged: never served as the request
    }
    return r.digest().equals(inputDigest) ? Optional.of(r) : Optional.empty();
  }

  @Override
  public void register(Router router) {
    router.get(
        "/v1/llm/requests/{digest}",
        req -> {
          Digest d;
          try {
            d = Digest.parse(req.param("digest"));
          } catch (RuntimeException e) {
            throw ProblemException.badRequest("the input digest must be sha256:<hex>");
          }
          return Response.ok(
              load(d)
                  .orElseThrow(() -> ProblemException.notFound("no LLM request with input " + d))
                  .toJson());
        });
  }
}

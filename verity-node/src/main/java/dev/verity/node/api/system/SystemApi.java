package dev.verity.node.api.system;

import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /v1/health} and {@code GET /openapi.json}. */
public final class SystemApi implements ApiModule {
  public static final String OPENAPI_RESOURCE = "/dev/verity/node/openapi.json";
  public static final String VERSION = "0.1.0";

  private final long maxUploadBytes;
  private final byte[] openApi;

  public SystemApi(long maxUploadBytes) {
    this.maxUploadBytes = maxUploadBytes;
    this.openApi = openApiDocument();
  }

  /** The OpenAPI document shipped with the node. */
  public static byte[] openApiDocument() {
    try (InputStream in = SystemApi.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + OPENAPI_RESOURCE);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + OPENAPI_RESOURCE, e);
    }
  }

  @Override
  public void register(Router router) {
    router.get(
        "/v1/health",
        req -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("status", "ok");
          body.put("version", VERSION);
          body.put("maxUploadBytes", maxUploadBytes);
          return Response.ok(body);
        });
    router.get(
        "/openapi.json",
        req ->
            Response.stream(
                200,
                "application/json",
                openApi.length,
                new java.io.ByteArrayInputStream(openApi)));
  }
}

package dev.verity.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import dev.verity.engine.TensorSpec;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.HttpApiServer;
import dev.verity.node.http.Json;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Request;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The baseline of {@code verity bench serve} and nothing else: {@code POST /v1/infer} for one model
 * loaded at start, served by the node's own HTTP stack ({@link HttpApiServer} and {@link Router},
 * one virtual thread per exchange, the same access log line per request), with the node's JSON
 * request parsing ({@link TensorJson#parseMap}, the same fields), the strict engine under the
 * node's default limits, and the node's {@code outputs} encoding ({@link TensorJson#toJson}).
 *
 * <p>What it leaves out is what the bench measures: no model resolution (the {@code model} field
 * must be present but names the one loaded model), no input or output digests, no receipt, no
 * signature, no log append or fsync, no input archive. Its answers carry no proof of anything;
 * never serve real traffic with it.
 *
 * <p>Run as a child process: {@code BareInferenceServer MODEL.onnx [PORT]} binds 127.0.0.1 (port 0
 * by default) and prints {@code port N} on stdout once it serves.
 */
public final class BareInferenceServer implements AutoCloseable {
  private static final Set<String> FIELDS =
      Set.of("model", "engine", "inputs", "policy", "requestId", "outputEncoding");

  private final LoadedModel model;
  private final HttpApiServer server;
  private final long maxInputBytes;

  private BareInferenceServer(LoadedModel model, HttpApiServer server, long maxInputBytes) {
    this.model = model;
    this.server = server;
    this.maxInputBytes = maxInputBytes;
  }

  /** Loads {@code modelFile} on the strict engine and serves it on {@code host:port}. */
  public static BareInferenceServer start(Path modelFile, String host, int port)
      throws IOException {
    NodeConfig defaults = NodeConfig.defaults();
    EngineLimits limits = defaults.engineLimits();
    LoadedModel model;
    try {
      model = new StrictEngine().load(Files.readAllBytes(modelFile), limits);
    } catch (dev.verity.engine.ModelLoadException e) {
      throw new IOException("cannot load " + modelFile + ": " + e.getMessage(), e);
    }
    Router router = new Router();
    BareInferenceServer[] self = new BareInferenceServer[1];
    router.post("/v1/infer", req -> self[0].infer(req));
    try {
      HttpApiServer server = HttpApiServer.start(router, host, port, defaults.maxJsonBytes());
      self[0] = new BareInferenceServer(model, server, limits.maxTotalBytes());
      return self[0];
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public int port() {
    return server.address().getPort();
  }

  private Response infer(Request req) throws Exception {
    JsonNode body = req.json();
    if (!body.isObject()) {
      throw ProblemException.badRequest("request body must be a JSON object");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw ProblemException.badRequest("unknown field '" + f + "'; known: " + FIELDS);
      }
    }
    if (!body.path("model").isTextual()) {
      throw ProblemException.badRequest("'model' is required");
    }
    String engine = body.path("engine").asText(StrictEngine.ID);
    if (!engine.equals(StrictEngine.ID)) {
      throw ProblemException.badRequest("this baseline runs the strict engine only");
    }
    String enc = body.path("outputEncoding").asText("numbers");
    if (!enc.equals("numbers") && !enc.equals("base64")) {
      throw ProblemException.badRequest("'outputEncoding' must be \"numbers\" or \"base64\"");
    }
    Map<String, Tensor> inputs =
        named(TensorJson.parseMap(body.get("inputs"), "input", maxInputBytes));
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.set(
        "outputs",
        TensorJson.toJson(model.run(inputs, RunOptions.DEFAULT).outputs(), enc.equals("base64")));
    return Response.ok(o);
  }

  /** {@code _} names the only input, as on the node. */
  private Map<String, Tensor> named(Map<String, Tensor> inputs) {
    List<TensorSpec> specs = model.inputs();
    if (inputs.size() == 1 && inputs.containsKey("_") && specs.size() == 1) {
      return Map.of(specs.get(0).name(), inputs.get("_"));
    }
    for (String name : inputs.keySet()) {
      if (specs.stream().noneMatch(s -> s.name().equals(name))) {
        throw ProblemException.badRequest("the model has no input named '" + name + "'");
      }
    }
    return inputs;
  }

  @Override
  public void close() {
    server.close();
    model.close();
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: BareInferenceServer MODEL.onnx [PORT]");
      System.exit(2);
    }
    // The same access log as `verity node run` writes, so both servers of the bench log alike.
    if (System.getProperty("org.slf4j.simpleLogger.log.dev.verity") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.dev.verity", "info");
    }
    BareInferenceServer s =
        start(Path.of(args[0]), "127.0.0.1", args.length > 1 ? Integer.parseInt(args[1]) : 0);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  s.close();
                  stop.countDown();
                }));
    System.out.println("port " + s.port());
    System.out.flush();
    stop.await();
  }
}

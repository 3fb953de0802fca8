package dev.verity.node.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.engine.InferenceException;
import dev.verity.engine.ModelLoadException;
import dev.verity.llm.GenerationLimitException;
import dev.verity.llm.GenerationRequest;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.Prompt;
import dev.verity.llm.TraceMode;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Json;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Request;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import dev.verity.node.receipt.IssuedReceipt;
import dev.verity.node.receipt.ReceiptDraft;
import dev.verity.node.receipt.ReceiptIssuer;
import dev.verity.receipt.Receipt;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible text endpoints: {@code POST /v1/chat/completions} and {@code POST
 * /v1/completions}, answered as one JSON object or as server-sent events. Every answer carries the
 * signed, logged receipt of its generation in the extra member {@code verity} (in the last event
 * before {@code [DONE]} when streaming). {@code GET /v1/models} is the node's model list, which
 * already has the OpenAI shape.
 */
final class OpenAiApi implements ApiModule {
  private static final Logger log = LoggerFactory.getLogger(OpenAiApi.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final LlmModels models;
  private final ReceiptIssuer receipts;
  private final Semaphore running;
  private final LlmArchive archive;
  private final Optional<LlmTraceLie> lie;

  /**
   * @param archive where each request is kept under its receipt input digest, for re-execution by
   *     auditors, referees and this node's dispute responder
   * @param lie the fault-injection switch's LLM cheat (tests only); empty on an honest node
   */
  OpenAiApi(
      LlmModels models,
      ReceiptIssuer receipts,
      int maxConcurrent,
      LlmArchive archive,
      Optional<LlmTraceLie> lie) {
    this.models = models;
    this.receipts = receipts;
    this.running = new Semaphore(maxConcurrent, true);
    this.archive = archive;
    this.lie = lie;
    lie.ifPresent(
        x ->
            log.warn(
                "FAULT INJECTION: this node commits LLM traces that lie about one step (tests"
                    + " only)"));
  }

  @Override
  public void register(Router router) {
    router.post("/v1/chat/completions", req -> handle(req, Kind.CHAT));
    router.post("/v1/completions", req -> handle(req, Kind.TEXT));
  }

  /** Chat or plain text completion: they differ only in input and response shapes. */
  enum Kind {
    CHAT("chatcmpl-", "chat.completion", "chat.completion.chunk"),
    TEXT("cmpl-", "text_completion", "text_completion");

    final String idPrefix;
    final String object;
    final String chunkObject;

    Kind(String idPrefix, String object, String chunkObject) {
      this.idPrefix = idPrefix;
      this.object = object;
      this.chunkObject = chunkObject;
    }
  }

  /** A validated request bound to its model, ready to run. */
  private record Job(
      Kind kind,
      CompletionRequest request,
      LlmModels.Lease lease,
      List<Integer> promptTokens,
      GenerationRequest generation,
      String id,
      long created,
      String fingerprint) {
    LlamaModel model() {
      return lease.get().model();
    }

    String modelId() {
      return lease.get().id();
    }
  }

  private Response handle(Request req, Kind kind) throws Exception {
    JsonNode body = req.json();
    CompletionRequest r =
        kind == Kind.CHAT
            ? CompletionRequest.parseChat(body)
            : CompletionRequest.parseCompletion(body);
    LlmModels.Lease lease;
    try {
      lease = models.acquire(r.model());
    } catch (ModelLoadException e) {
      throw LlmModels.notLoaded(r.model(), e);
    }
    Job job;
    try {
      job = prepare(kind, r, lease);
    } catch (RuntimeException e) {
      lease.close();
      throw e;
    }
    if (r.stream()) {
      return Response.chunked(200, "text/event-stream", out -> stream(job, out))
          .withHeader("Cache-Control", "no-cache");
    }
    try (lease) {
      return Response.ok(complete(job));
    }
  }

  private Job prepare(Kind kind, CompletionRequest r, LlmModels.Lease lease) {
    LlamaModel model = lease.get().model();
    List<Integer> prompt = new ArrayList<>();
    switch (r.input()) {
      case CompletionRequest.Input.Chat c -> {
        for (int t : model.promptTokens(Prompt.text(ChatTemplate.render(c.messages())))) {
          prompt.add(t);
        }
      }
      case CompletionRequest.Input.Text t -> {
        for (int id : model.promptTokens(Prompt.text(t.prompt()))) {
          prompt.add(id);
        }
      }
      case CompletionRequest.Input.Tokens t -> {
        int vocab = model.config().vocabSize();
        for (int i = 0; i < t.tokens().size(); i++) {
          if (t.tokens().get(i) >= vocab) {
            throw OpenAiError.invalid(
                "prompt",
                "prompt token "
                    + t.tokens().get(i)
                    + " at index "
                    + i
                    + " is outside the vocabulary of "
                    + vocab);
          }
        }
        prompt.addAll(t.tokens());
      }
    }
    int context = model.contextLength();
    int maxNew = model.options().limits().maxNewTokens();
    if (prompt.size() >= context) {
      throw OpenAiError.limit(
          "context_length",
          context,
          prompt.size(),
          "the prompt has "
              + prompt.size()
              + " tokens, which leaves no room in this model's context length of "
              + context
              + " tokens");
    }
    int maxTokens = r.maxTokens().orElse(Math.min(maxNew, context - prompt.size()));
    if (maxTokens > maxNew) {
      throw OpenAiError.limit(
          "max_tokens",
          maxNew,
          maxTokens,
          "max_tokens is " + maxTokens + ", over this node's limit of " + maxNew);
    }
    if ((long) prompt.size() + maxTokens > context) {
      throw OpenAiError.limit(
          "context_length",
          context,
          (long) prompt.size() + maxTokens,
          "this model's context length is "
              + context
              + " tokens, but "
              + (prompt.size() + (long) maxTokens)
              + " were requested ("
              + prompt.size()
              + " in the prompt, "
              + maxTokens
              + " for the completion)");
    }
    long seed = r.seed().orElseGet(RANDOM::nextLong);
    GenerationRequest g =
        new GenerationRequest(
            Prompt.tokens(prompt),
            maxTokens,
            r.temperature(),
            r.topP(),
            seed,
            lie.isPresent() ? TraceMode.FULL : TraceMode.HASHES);
    byte[] rnd = new byte[12];
    RANDOM.nextBytes(rnd);
    String id = kind.idPrefix + HexFormat.of().formatHex(rnd);
    return new Job(
        kind, r, lease, prompt, g, id, System.currentTimeMillis() / 1000, fingerprint(model));
  }

  private GenerationRunner.Outcome generate(Job job, Consumer<String> emit)
      throws InferenceException, InterruptedException {
    running.acquire();
    try {
      return GenerationRunner.run(job.model(), job.generation(), job.request().stop(), emit);
    } catch (GenerationLimitException e) {
      throw OpenAiError.limit(e.limit(), e.allowed(), e.requested(), e.getMessage());
    } finally {
      running.release();
    }
  }

  private Map<String, Object> complete(Job job) throws Exception {
    GenerationRunner.Outcome o = generate(job, text -> {});
    IssuedReceipt issued = issue(job, o);
    Map<String, Object> choice = new LinkedHashMap<>();
    choice.put("index", 0);
    if (job.kind() == Kind.CHAT) {
      Map<String, Object> message = new LinkedHashMap<>();
      message.put("role", "assistant");
      message.put("content", o.text());
      message.put("refusal", null);
      message.put("annotations", List.of());
      choice.put("message", message);
    } else {
      choice.put("text", o.text());
    }
    choice.put("logprobs", null);
    choice.put("finish_reason", o.finishReason());
    Map<String, Object> body = envelope(job, job.kind().object);
    body.put("choices", List.of(choice));
    body.put("usage", usage(o));
    body.put("verity", verity(job, o, issued));
    return body;
  }

  private void stream(Job job, OutputStream out) throws IOException {
    try (LlmModels.Lease lease = job.lease()) {
      boolean usageNull = job.request().includeUsage();
      if (job.kind() == Kind.CHAT) {
        Map<String, Object> delta = new LinkedHashMap<>();
        delta.put("role", "assistant");
        delta.put("content", "");
        send(out, chunk(job, delta, "", null, usageNull));
      }
      GenerationRunner.Outcome o;
      IssuedReceipt issued;
      try {
        o =
            generate(
                job,
                text -> {
                  Map<String, Object> delta = new LinkedHashMap<>();
                  delta.put("content", text);
                  try {
                    send(out, chunk(job, delta, text, null, usageNull));
                  } catch (IOException e) {
                    // The client went away: abort the generation.
                    throw new UncheckedIOException(e);
                  }
                });
        issued = issue(job, o);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      } catch (ProblemException e) {
        sendError(out, e.problem().detail(), e.problem().extensions().get("error"));
        return;
      } catch (Exception e) {
        log.error("streamed completion {} failed", job.id(), e);
        sendError(out, "the node failed to complete this request (" + job.id() + ")", null);
        return;
      }
      Map<String, Object> last = chunk(job, Map.of(), "", o.finishReason(), usageNull);
      Map<String, Object> verity = verity(job, o, issued);
      if (job.request().includeUsage()) {
        send(out, last);
        last = envelope(job, job.kind().chunkObject);
        last.put("choices", List.of());
        last.put("usage", usage(o));
      }
      last.put("verity", verity);
      send(out, last);
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  private Map<String, Object> envelope(Job job, String object) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", job.id());
    body.put("object", object);
    body.put("created", job.created());
    body.put("model", job.modelId());
    body.put("system_fingerprint", job.fingerprint());
    return body;
  }

  private Map<String, Object> chunk(
      Job job, Map<String, Object> delta, String text, String finish, boolean usageNull) {
    Map<String, Object> choice = new LinkedHashMap<>();
    choice.put("index", 0);
    if (job.kind() == Kind.CHAT) {
      choice.put("delta", delta);
    } else {
      choice.put("text", text);
    }
    choice.put("logprobs", null);
    choice.put("finish_reason", finish);
    Map<String, Object> c = envelope(job, job.kind().chunkObject);
    c.put("choices", List.of(choice));
    if (usageNull) {
      c.put("usage", null);
    }
    return c;
  }

  private static Map<String, Object> usage(GenerationRunner.Outcome o) {
    Map<String, Object> u = new LinkedHashMap<>();
    u.put("prompt_tokens", o.generation().usage().promptTokens());
    u.put("completion_tokens", o.generation().usage().completionTokens());
    u.put("total_tokens", o.generation().usage().totalTokens());
    return u;
  }

  private IssuedReceipt issue(Job job, GenerationRunner.Outcome o) throws IOException {
    GenerationRequest g = job.generation();
    LlmRequest request =
        new LlmRequest(
            job.promptTokens(),
            g.maxTokens(),
            g.temperature(),
            g.topP(),
            g.seed(),
            job.request().stop());
    // Kept before the receipt exists: a logged receipt must be re-executable.
    archive.save(request);
    ReceiptDraft draft =
        ReceiptDraft.of(
                job.lease().get().manifest(),
                job.model().engineInfo(),
                request.digest(),
                LlmDigests.output(o.generation().completionTokens()))
            .withTrace(o.generation().trace())
            .withSeed(g.seed())
            .withRequestId(job.id())
            .withPolicy(job.request().policy());
    if (lie.isPresent()) {
      var lying = lie.get().party(o.generation().trace(), job.promptTokens().size());
      draft = draft.withTrace(lying.root(), lying.leafCount());
    }
    return receipts.issue(draft);
  }

  private static Map<String, Object> verity(
      Job job, GenerationRunner.Outcome o, IssuedReceipt issued) throws IOException {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("receiptId", issued.receipt().id().toString());
    v.put("logIndex", issued.logIndex());
    v.put("seed", job.generation().seed());
    v.put("maxTokens", job.generation().maxTokens());
    v.put("chatTemplate", job.kind() == Kind.CHAT ? ChatTemplate.ID : null);
    v.put("promptTokens", job.promptTokens());
    v.put("completionTokens", o.generation().completionTokens());
    v.put("bundle", Json.MAPPER.readTree(issued.bundleJson()));
    return v;
  }

  private static String fingerprint(LlamaModel model) {
    // The engine's pinned configuration, as the receipt's engineConfigDigest commits to it.
    String hex =
        Receipt.engineConfigDigest(new TreeMap<>(model.engineInfo().config())).value().toHex();
    return "fp_" + hex.substring(0, 12);
  }

  /** One server-sent event, written as one chunk. */
  private static void send(OutputStream out, Map<String, Object> event) throws IOException {
    byte[] json = Json.MAPPER.writeValueAsBytes(event);
    byte[] frame = new byte[DATA.length + json.length + 2];
    System.arraycopy(DATA, 0, frame, 0, DATA.length);
    System.arraycopy(json, 0, frame, DATA.length, json.length);
    frame[frame.length - 2] = '\n';
    frame[frame.length - 1] = '\n';
    out.write(frame);
    out.flush();
  }

  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

  /** An error after the stream started: OpenAI's {@code data: {"error": …}} event, then the end. */
  private static void sendError(OutputStream out, String message, Object error) throws IOException {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("error", error != null ? error : OpenAiError.body(message, "server_error", null, null));
    send(out, e);
  }
}

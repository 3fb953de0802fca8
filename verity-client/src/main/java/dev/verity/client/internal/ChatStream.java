package dev.verity.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.client.ChatCompletion;
import dev.verity.client.ChatListener;
import dev.verity.client.ChatMessage;
import dev.verity.client.ChatRequest;
import dev.verity.client.VerityApiException;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.log.bundle.BundleJson;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.receipt.ReceiptSignatureException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Streams {@code POST /v1/chat/completions} over server-sent events and checks the receipt that
 * ends the stream.
 */
public final class ChatStream {
  private final Transport transport;

  public ChatStream(Transport transport) {
    this.transport = transport;
  }

  public ChatCompletion chat(ChatRequest request, ChatListener listener) throws IOException {
    HttpRequest req =
        transport
            .longRequest("/v1/chat/completions")
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body(request)))
            .build();
    HttpResponse<InputStream> r = transport.send(req, HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      throw Transport.problem(r);
    }
    StringBuilder text = new StringBuilder();
    String id = null;
    String model = null;
    String finish = null;
    JsonNode verity = null;
    boolean done = false;
    try (InputStream in = r.body();
        Stream<String> lines =
            new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))
                .lines()) {
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (!line.startsWith("data:")) {
          continue;
        }
        String data = line.substring(5).strip();
        if (data.equals("[DONE]")) {
          done = true;
          break;
        }
        JsonNode event = Transport.JSON.readTree(data);
        if (event.has("error")) {
          JsonNode e = event.get("error");
          throw new VerityApiException(
              500,
              "urn:verity:problem:stream-error",
              e.path("type").asText("error"),
              e.path("message").asText("the node reported an error mid-stream"));
        }
        id = event.path("id").asText(id);
        model = event.path("model").asText(model);
        for (JsonNode choice : event.path("choices")) {
          String piece = choice.path("delta").path("content").asText("");
          if (!piece.isEmpty()) {
            text.append(piece);
            listener.onText(piece);
          }
          if (choice.hasNonNull("finish_reason")) {
            finish = choice.get("finish_reason").asText();
          }
        }
        if (event.has("verity")) {
          verity = event.get("verity");
        }
      }
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    if (!done || verity == null || id == null || finish == null) {
      throw new IOException(
          "the completion stream from "
              + transport.base()
              + " ended early"
              + (verity == null ? " without its receipt" : ""));
    }
    return completion(id, model, text.toString(), finish, verity);
  }

  static byte[] body(ChatRequest request) throws IOException {
    ObjectNode o = Transport.JSON.createObjectNode();
    o.put("model", request.model());
    ArrayNode messages = o.putArray("messages");
    for (ChatMessage m : request.messages()) {
      messages.addObject().put("role", m.role()).put("content", m.content());
    }
    request.maxTokens().ifPresent(n -> o.put("max_tokens", n));
    o.put("temperature", request.temperature());
    o.put("top_p", request.topP());
    request.seed().ifPresent(s -> o.put("seed", s));
    o.put("stream", true);
    return Transport.JSON.writeValueAsBytes(o);
  }

  static ChatCompletion completion(
      String id, String model, String text, String finish, JsonNode verity) throws IOException {
    ReceiptBundle bundle;
    try {
      bundle = BundleJson.parse(Transport.JSON.writeValueAsString(verity.get("bundle")));
      bundle.receipt().verify();
    } catch (ReceiptSignatureException | RuntimeException e) {
      throw new IOException("the completion's receipt is invalid: " + e.getMessage(), e);
    }
    var receipt = bundle.receipt().receipt();
    if (!receipt.requestId().equals(id)) {
      throw new IOException(
          "the receipt is for request " + receipt.requestId() + ", not completion " + id);
    }
    Digest receiptId = bundle.receipt().id();
    if (!receiptId.toString().equals(verity.path("receiptId").asText())) {
      throw new IOException("the node's receipt id does not match the receipt it sent");
    }
    List<Integer> prompt = ints(verity.path("promptTokens"));
    List<Integer> completion = ints(verity.path("completionTokens"));
    if (!receipt.outputDigest().equals(outputDigest(completion))) {
      throw new IOException(
          "the receipt's output digest does not cover the generated tokens the node reported");
    }
    long seed = verity.path("seed").asLong();
    if (receipt.seed() != seed) {
      throw new IOException("the receipt's seed differs from the one the node reported");
    }
    if (bundle.logIndex() != verity.path("logIndex").asLong()) {
      throw new IOException("the receipt's log index differs from the one the node reported");
    }
    return new ChatCompletion(
        id, model, text, finish, prompt, completion, seed, receiptId, bundle.logIndex(), bundle);
  }

  /**
   * The output digest of an LLM receipt: SHA-256("verity-llm-output/v1" || 0x00 || u32 count ||
   * count × u32 token id), big-endian (verity-node docs/OPENAI.md).
   */
  public static Digest outputDigest(List<Integer> tokens) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.write("verity-llm-output/v1".getBytes(StandardCharsets.US_ASCII));
      out.write(0);
      out.writeInt(tokens.size());
      for (int t : tokens) {
        out.writeInt(t);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return Digest.of(Bytes.copyOf(buf.toByteArray()));
  }

  private static List<Integer> ints(JsonNode array) throws IOException {
    List<Integer> out = new ArrayList<>();
    for (JsonNode n : array) {
      if (!n.isInt()) {
        throw new IOException("the node reported a token id that is not an integer: " + n);
      }
      out.add(n.intValue());
    }
    return out;
  }
}

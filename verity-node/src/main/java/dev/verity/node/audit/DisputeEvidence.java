package dev.verity.node.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.audit.bisect.BisectionParty;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TensorJson;
import dev.verity.engine.TraceOpening;
import dev.verity.llm.trace.InclusionProof;
import dev.verity.llm.trace.ProvenLeaf;
import dev.verity.llm.trace.TraceLeaf;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Json;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import dev.verity.node.openai.LlmRequest;
import dev.verity.receipt.ReceiptJson;
import dev.verity.receipt.SignedReceipt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * What a party to a dispute shows the referees, served by the party's node: {@code GET
 * /v1/disputes/{id}} (the signed receipt and the request's inputs) and {@code GET
 * /v1/disputes/{id}/leaves/{index}} (one leaf of the party's committed trace with its inclusion
 * path). Referees check every opening against the root the party committed to on-chain, so serving
 * evidence cannot help a liar; withholding it makes that party's step check fail.
 */
public final class DisputeEvidence implements ApiModule {
  private static final long MAX_BYTES = 64L << 20;

  /**
   * One party's side: the receipt, the request as served ({@code inputs} tensors for a strict
   * receipt; for an LLM receipt no tensors and the {@code llmRequest}), its committed root and leaf
   * count, and the opening of one leaf as JSON.
   */
  private record Entry(
      SignedReceipt receipt,
      Map<String, Tensor> inputs,
      Optional<LlmRequest> llm,
      Digest root,
      long leafCount,
      LongFunction<Optional<ObjectNode>> opener) {}

  private final Map<Bytes, Entry> entries = new ConcurrentHashMap<>();

  /** Makes this node's side of dispute {@code id} available to referees. */
  public void offer(
      Bytes id,
      SignedReceipt receipt,
      Map<String, Tensor> inputs,
      BisectionParty<TraceOpening> party) {
    entries.put(
        id,
        new Entry(
            receipt,
            Map.copyOf(inputs),
            Optional.empty(),
            party.root(),
            party.leafCount(),
            i -> party.open(i).map(DisputeEvidence::toJson)));
  }

  /** Makes this node's side of dispute {@code id} over an LLM receipt available to referees. */
  public void offerLlm(
      Bytes id, SignedReceipt receipt, LlmRequest request, BisectionParty<ProvenLeaf> party) {
    entries.put(
        id,
        new Entry(
            receipt,
            Map.of(),
            Optional.of(request),
            party.root(),
            party.leafCount(),
            i -> party.open(i).map(DisputeEvidence::toJson)));
  }

  public boolean offers(Bytes id) {
    return entries.containsKey(id);
  }

  @Override
  public void register(Router router) {
    router.get(
        "/v1/disputes/{id}",
        req -> {
          Entry e = entry(req.param("id"));
          ObjectNode o = Json.MAPPER.createObjectNode();
          o.set("receipt", Json.MAPPER.readTree(ReceiptJson.toJson(e.receipt())));
          o.set("inputs", TensorJson.toJson(e.inputs(), true));
          e.llm().ifPresent(l -> o.set("llmRequest", l.toJson()));
          o.put("root", e.root().toString());
          o.put("leafCount", e.leafCount());
          return Response.ok(o);
        });
    router.get(
        "/v1/disputes/{id}/leaves/{index}",
        req -> {
          Entry e = entry(req.param("id"));
          long i;
          try {
            i = Long.parseLong(req.param("index"));
          } catch (NumberFormatException x) {
            throw ProblemException.badRequest("leaf index must be a number");
          }
          if (i < 0 || i >= e.leafCount()) {
            throw ProblemException.notFound("no leaf " + i);
          }
          return Response.ok(
              e.opener()
                  .apply(i)
                  .orElseThrow(() -> ProblemException.notFound("leaf " + i + " withheld")));
        });
  }

  private Entry entry(String hex) {
    Bytes id;
    try {
      id = Bytes.fromHex(hex.startsWith("0x") ? hex.substring(2) : hex);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("dispute id must be hex");
    }
    Entry e = entries.get(id);
    if (e == null) {
      throw ProblemException.notFound("this node is not a party to dispute " + hex);
    }
    return e;
  }

  static ObjectNode toJson(TraceOpening o) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("leafIndex", o.leafIndex());
    n.put("leafCount", o.leafCount());
    n.put("nodeIndex", o.nodeIndex());
    n.put("nodeName", o.nodeName());
    n.put("outputName", o.outputName());
    n.put("tensor", Base64.getEncoder().encodeToString(TensorEncoding.encode(o.tensor())));
    ArrayNode p = n.putArray("path");
    o.path().forEach(d -> p.add(d.toString()));
    return n;
  }

  /**
   * An LLM trace leaf with its inclusion proof: {@code position}, {@code layer}, {@code token},
   * {@code activation} (base64 of the float32 little-endian values, as hashed), {@code leafIndex},
   * {@code leafCount} and the audit {@code path}.
   */
  static ObjectNode toJson(ProvenLeaf o) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("position", o.leaf().position());
    n.put("layer", o.leaf().layer());
    n.put("token", o.leaf().token());
    n.put("activation", Base64.getEncoder().encodeToString(o.leaf().activation().toByteArray()));
    n.put("leafIndex", o.proof().leafIndex());
    n.put("leafCount", o.proof().treeSize());
    ArrayNode p = n.putArray("path");
    o.proof().path().forEach(d -> p.add(d.toString()));
    return n;
  }

  static ProvenLeaf parseLlm(JsonNode n) {
    List<Digest> path = new ArrayList<>();
    n.path("path").forEach(d -> path.add(Digest.parse(d.asText())));
    return new ProvenLeaf(
        new TraceLeaf(
            n.path("position").asInt(),
            n.path("layer").asInt(),
            n.path("token").asInt(),
            Bytes.copyOf(Base64.getDecoder().decode(n.path("activation").asText()))),
        new InclusionProof(n.path("leafIndex").asLong(), n.path("leafCount").asLong(), path));
  }

  static TraceOpening parse(JsonNode n) {
    List<Digest> path = new ArrayList<>();
    n.path("path").forEach(d -> path.add(Digest.parse(d.asText())));
    return new TraceOpening(
        n.path("leafIndex").asLong(),
        n.path("leafCount").asLong(),
        n.path("nodeIndex").asInt(),
        n.path("nodeName").asText(),
        n.path("outputName").asText(),
        TensorEncoding.decode(Base64.getDecoder().decode(n.path("tensor").asText())),
        path);
  }

  /** What a party's node serves about a dispute, as a referee fetched it. */
  record Served(SignedReceipt receipt, Map<String, Tensor> inputs, Optional<LlmRequest> llm) {
    Served {
      java.util.Objects.requireNonNull(receipt, "receipt");
      inputs = Map.copyOf(inputs);
      java.util.Objects.requireNonNull(llm, "llm");
    }
  }

  /** Client side: one party's evidence at {@code base}. */
  static final class Remote {
    private static final HttpClient HTTP =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String id;

    Remote(URI base, Bytes disputeId) {
      this.base = base;
      this.id = disputeId.toHex();
    }

    Optional<Served> served() {
      return get("/v1/disputes/" + id)
          .map(
              j ->
                  j.has("llmRequest")
                      ? new Served(
                          ReceiptJson.parse(j.get("receipt").toString()),
                          Map.of(),
                          Optional.of(LlmRequest.parse(j.get("llmRequest"))))
                      : new Served(
                          ReceiptJson.parse(j.get("receipt").toString()),
                          TensorJson.parseMap(
                              j.get("inputs"), "input", EngineLimits.DEFAULT.maxTotalBytes()),
                          Optional.empty()));
    }

    /** The party of an LLM dispute as committed on-chain; its openings come from its node. */
    BisectionParty<ProvenLeaf> llmParty(Digest root, long leafCount) {
      return remoteParty(root, leafCount, DisputeEvidence::parseLlm);
    }

    /** The party as committed on-chain; its openings come from its node. */
    BisectionParty<TraceOpening> party(Digest root, long leafCount) {
      return remoteParty(root, leafCount, DisputeEvidence::parse);
    }

    private <L> BisectionParty<L> remoteParty(
        Digest root, long leafCount, java.util.function.Function<JsonNode, L> parser) {
      return BisectionParty.openingOnly(
          root, leafCount, index -> get("/v1/disputes/" + id + "/leaves/" + index).map(parser));
    }

    private Optional<JsonNode> get(String path) {
      try {
        HttpResponse<byte[]> r =
            HTTP.send(
                HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200 || r.body().length > MAX_BYTES) {
          return Optional.empty();
        }
        return Optional.of(Json.MAPPER.readTree(r.body()));
      } catch (IOException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new IOException("interrupted", e));
      } catch (RuntimeException e) {
        // A malformed answer is withheld evidence.
        return Optional.empty();
      }
    }
  }
}

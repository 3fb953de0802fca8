package dev.verity.node.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.audit.bisect.BisectionMove;
import dev.verity.audit.bisect.BisectionParty;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TensorJson;
import dev.verity.engine.TraceOpening;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Json;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
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

/**
 * What a party to a dispute shows the referees, served by the party's node: {@code GET
 * /v1/disputes/{id}} (the signed receipt and the request's inputs) and {@code GET
 * /v1/disputes/{id}/leaves/{index}} (one leaf of the party's committed trace with its inclusion
 * path). Referees check every opening against the root the party committed to on-chain, so serving
 * evidence cannot help a liar; withholding it makes that party's step check fail.
 */
public final class DisputeEvidence implements ApiModule {
  private static final long MAX_BYTES = 64L << 20;

  private record Entry(
      SignedReceipt receipt, Map<String, Tensor> inputs, BisectionParty<TraceOpening> party) {}

  private final Map<Bytes, Entry> entries = new ConcurrentHashMap<>();

  /** Makes this node's side of dispute {@code id} available to referees. */
  public void offer(
      Bytes id,
      SignedReceipt receipt,
      Map<String, Tensor> inputs,
      BisectionParty<TraceOpening> party) {
    entries.put(id, new Entry(receipt, Map.copyOf(inputs), party));
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
          o.put("root", e.party().root().toString());
          o.put("leafCount", e.party().leafCount());
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
          if (i < 0 || i >= e.party().leafCount()) {
            throw ProblemException.notFound("no leaf " + i);
          }
          return Response.ok(
              toJson(
                  e.party()
                      .open(i)
                      .orElseThrow(() -> ProblemException.notFound("leaf " + i + " withheld"))));
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
  record Served(SignedReceipt receipt, Map<String, Tensor> inputs) {
    Served {
      java.util.Objects.requireNonNull(receipt, "receipt");
      inputs = Map.copyOf(inputs);
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
                  new Served(
                      ReceiptJson.parse(j.get("receipt").toString()),
                      TensorJson.parseMap(
                          j.get("inputs"), "input", EngineLimits.DEFAULT.maxTotalBytes())));
    }

    /** The party as committed on-chain; its openings come from its node. */
    BisectionParty<TraceOpening> party(Digest root, long leafCount) {
      return new BisectionParty<>() {
        @Override
        public Digest root() {
          return root;
        }

        @Override
        public long leafCount() {
          return leafCount;
        }

        @Override
        public Optional<BisectionMove> move(int round, long start, long size) {
          return Optional.empty();
        }

        @Override
        public Optional<TraceOpening> open(long index) {
          return get("/v1/disputes/" + id + "/leaves/" + index).map(DisputeEvidence::parse);
        }
      };
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

package dev.verity.node.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.log.ConsistencyProof;
import dev.verity.log.InclusionProof;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.note.VerifierKey;
import dev.verity.log.tile.TileReader;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Json;
import dev.verity.node.http.Problem;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Request;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import dev.verity.node.receipt.ReceiptIssuer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The node's transparency log over HTTP: the C2SP checkpoint and tlog-tiles ({@code GET
 * /checkpoint}, {@code GET /tile/...}), inclusion and consistency proofs, cosignatures delivered by
 * witnesses, and this node's own witnessing of peers (cosigned checkpoints, fork evidence, witness
 * on demand).
 */
public final class LogApi implements ApiModule {
  /** Tile paths have 2 to 8 segments after {@code /tile/}: level or "entries", index, ".p/W". */
  static final int MAX_TILE_SEGMENTS = 8;

  private final ReceiptIssuer issuer;
  private final TileReader tiles;
  private final WitnessService witness;

  public LogApi(ReceiptIssuer issuer, WitnessService witness) {
    this.issuer = issuer;
    this.tiles = new TileReader(issuer.log());
    this.witness = witness;
  }

  @Override
  public void register(Router router) {
    router.get("/checkpoint", req -> text(issuer.checkpoint()));
    for (int n = 2; n <= MAX_TILE_SEGMENTS; n++) {
      router.get(tilePattern(n), this::tile);
    }
    router.get("/v1/log/proof/inclusion", this::inclusion);
    router.get("/v1/log/proof/consistency", this::consistency);
    router.post("/v1/log/cosignatures", this::acceptCosignature);
    router.get("/v1/log/cosignatures", this::cosigned);
    router.get("/v1/log/forks", this::forks);
    router.get("/v1/witness", this::witnessInfo);
    router.post("/v1/witness/peers", this::witnessPeer);
    router.post("/v1/witness/run", this::witnessAll);
  }

  /** {@code /tile/{p1}/.../{pn}}. */
  public static String tilePattern(int segments) {
    StringBuilder sb = new StringBuilder("/tile");
    for (int i = 1; i <= segments; i++) {
      sb.append("/{p").append(i).append('}');
    }
    return sb.toString();
  }

  private static Response text(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return Response.stream(200, "text/plain; charset=utf-8", b.length, new ByteArrayInputStream(b))
        .withHeader("Cache-Control", "no-cache");
  }

  private Response tile(Request req) throws Exception {
    String path = req.path().substring(1);
    Optional<byte[]> t;
    try {
      t = tiles.tile(path);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("not a tile path: " + e.getMessage());
    }
    byte[] b =
        t.orElseThrow(() -> ProblemException.notFound("tile " + path + " is not in the log yet"));
    // A full tile never changes; a partial one is replaced by a wider one later.
    boolean full = !path.contains(".p/");
    return Response.stream(200, "application/octet-stream", b.length, new ByteArrayInputStream(b))
        .withHeader("Cache-Control", full ? "public, max-age=31536000, immutable" : "no-cache");
  }

  private static long longQuery(Request req, String name, Optional<Long> dflt) {
    Optional<String> v = req.query(name);
    if (v.isEmpty()) {
      return dflt.orElseThrow(
          () -> ProblemException.badRequest("query parameter '" + name + "' is required"));
    }
    try {
      long x = Long.parseLong(v.get());
      if (x < 0) {
        throw new NumberFormatException();
      }
      return x;
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest(
          "query parameter '" + name + "' must be a non-negative integer");
    }
  }

  private Response inclusion(Request req) {
    long size = issuer.log().checkpoint().checkpoint().size();
    long treeSize = longQuery(req, "size", Optional.of(size));
    long index = longQuery(req, "index", Optional.empty());
    if (treeSize > size) {
      throw ProblemException.badRequest("size " + treeSize + " exceeds the log size " + size);
    }
    if (index >= treeSize) {
      throw ProblemException.badRequest(
          "index " + index + " is not below the tree size " + treeSize);
    }
    InclusionProof p = issuer.inclusionProof(index, treeSize);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("index", index);
    o.put("treeSize", treeSize);
    o.put("leafHash", b64(issuer.log().leafHash(index).toByteArray()));
    o.put("rootHash", b64(issuer.log().rootHash(treeSize).toByteArray()));
    hashes(o.putArray("proof"), p.path());
    return Response.ok(o);
  }

  private Response consistency(Request req) {
    long size = issuer.log().checkpoint().checkpoint().size();
    long from = longQuery(req, "from", Optional.empty());
    long to = longQuery(req, "to", Optional.of(size));
    if (to > size) {
      throw ProblemException.badRequest("to " + to + " exceeds the log size " + size);
    }
    if (from > to) {
      throw ProblemException.badRequest("from " + from + " is larger than to " + to);
    }
    ConsistencyProof p = issuer.consistencyProof(from, to);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("from", from);
    o.put("to", to);
    hashes(o.putArray("proof"), p.path());
    return Response.ok(o);
  }

  private Response acceptCosignature(Request req) throws Exception {
    JsonNode body = req.json();
    if (!body.path("witness").isTextual() || !body.path("checkpoint").isTextual()) {
      throw ProblemException.badRequest(
          "body must be {\"witness\": \"<vkey>\", \"checkpoint\": \"<cosigned note>\"}");
    }
    VerifierKey w;
    try {
      w = VerifierKey.parse(body.get("witness").textValue());
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("bad witness key: " + e.getMessage());
    }
    String merged;
    try {
      merged = issuer.addCosignature(w, body.get("checkpoint").textValue());
    } catch (NoteVerificationException e) {
      throw new ProblemException(
          Problem.of(422, "bad-cosignature", "Cosignature refused", e.getMessage()));
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("checkpoint", merged);
    return Response.ok(o);
  }

  private Response cosigned(Request req) throws Exception {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("witness", witness.verifierKey().encode());
    ArrayNode a = o.putArray("checkpoints");
    witness.cosigned().forEach(a::add);
    return Response.ok(o);
  }

  private Response forks(Request req) throws Exception {
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode a = o.putArray("forks");
    witness.forks().forEach(a::add);
    return Response.ok(o);
  }

  private Response witnessInfo(Request req) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("witness", witness.verifierKey().encode());
    ArrayNode peers = o.putArray("configuredPeers");
    witness.configuredPeers().forEach(u -> peers.add(u.toString()));
    ObjectNode pinned = o.putObject("pinned");
    witness
        .pinned()
        .forEach(
            (url, p) -> {
              ObjectNode e = pinned.putObject(url);
              e.put("origin", p.origin());
              e.put("logKey", p.logKey().encode());
            });
    return Response.ok(o);
  }

  private Response witnessPeer(Request req) throws Exception {
    req.requireLoopbackCaller("witnessing a peer");
    JsonNode body = req.json();
    if (!body.path("url").isTextual()) {
      throw ProblemException.badRequest("body must be {\"url\": \"http://peer:port\"}");
    }
    URI u;
    try {
      u = URI.create(body.get("url").textValue());
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("'url' is not a URL");
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw ProblemException.badRequest("'url' must be an http(s) URL with a host");
    }
    return outcomes(List.of(witness.witness(u)));
  }

  private Response witnessAll(Request req) {
    req.requireLoopbackCaller("witnessing the configured peers");
    return outcomes(witness.witnessConfigured());
  }

  private static Response outcomes(List<WitnessOutcome> outs) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode a = o.putArray("results");
    List<String> forks = new ArrayList<>();
    for (WitnessOutcome w : outs) {
      ObjectNode e = a.addObject();
      e.put("peer", w.peer());
      switch (w) {
        case WitnessOutcome.Cosigned c -> {
          e.put("outcome", "cosigned");
          e.put("origin", c.origin());
          e.put("size", c.size());
          e.put("previousSize", c.previousSize());
          e.put("delivered", c.delivered());
        }
        case WitnessOutcome.Forked f -> {
          e.put("outcome", "fork");
          e.put("origin", f.evidence().origin());
          e.put("kind", f.evidence().kind().name());
          forks.add(f.peer());
        }
        case WitnessOutcome.Failed f -> {
          e.put("outcome", "failed");
          e.put("reason", f.reason());
        }
      }
    }
    return Response.ok(o);
  }

  private static void hashes(ArrayNode a, List<dev.verity.core.Bytes> path) {
    path.forEach(h -> a.add(b64(h.toByteArray())));
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}

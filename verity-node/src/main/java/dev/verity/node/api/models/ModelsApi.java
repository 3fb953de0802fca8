package dev.verity.node.api.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.Digest;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.store.Lineage;
import dev.verity.hub.store.ModelStore;
import dev.verity.hub.store.ModelSummary;
import dev.verity.hub.store.PublishOutcome;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Json;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Request;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signed model manifests: publish, list and search, versions, one version, a manifest by digest,
 * and lineage. The list's entries carry {@code id}, {@code object}, {@code created} and {@code
 * owned_by} so the same shape serves OpenAI-style clients listing models.
 */
public final class ModelsApi implements ApiModule {
  private final ModelStore store;

  public ModelsApi(ModelStore store) {
    this.store = store;
  }

  @Override
  public void register(Router router) {
    router.post("/v1/models", this::publish);
    router.get("/v1/models", this::list);
    router.get("/v1/models/{name}", this::versions);
    router.get("/v1/models/{name}/{version}", this::version);
    router.get("/v1/manifests/{digest}", this::manifest);
    router.get("/v1/manifests/{digest}/lineage", this::lineage);
  }

  private Response publish(Request req) throws Exception {
    SignedManifest signed = SignedManifest.parse(req.smallBody());
    PublishOutcome outcome = store.publish(signed);
    boolean created = outcome instanceof PublishOutcome.Published;
    ModelSummary s =
        switch (outcome) {
          case PublishOutcome.Published p -> p.summary();
          case PublishOutcome.AlreadyPublished a -> a.summary();
        };
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("digest", s.digest().toString());
    body.put("name", s.name());
    body.put("version", s.version());
    body.put("created", created);
    return Response.json(created ? 201 : 200, body)
        .withHeader("Location", "/v1/manifests/" + s.digest());
  }

  private Response list(Request req) {
    Optional<String> q = req.query("q");
    List<ModelSummary> all = q.isPresent() ? store.search(q.get()) : store.list();
    return Response.ok(listBody(newestFirstPerName(all)));
  }

  private Response versions(Request req) {
    String name = req.param("name");
    int at = name.lastIndexOf('@');
    if (at > 0) {
      // name@version is a model id as the list shows it: answer OpenAI's "retrieve model" shape.
      String id = name;
      ModelSummary one =
          store.versions(name.substring(0, at)).stream()
              .filter(s -> s.version().equals(id.substring(at + 1)))
              .findFirst()
              .orElseThrow(() -> ProblemException.notFound("no model '" + id + "' on this node"));
      return Response.ok(entry(one));
    }
    List<ModelSummary> v = new ArrayList<>(store.versions(name));
    if (v.isEmpty()) {
      throw ProblemException.notFound("no model named '" + name + "' is published on this node");
    }
    return Response.ok(listBody(newestFirstPerName(v)));
  }

  private Response version(Request req) throws Exception {
    String name = req.param("name");
    String version = req.param("version");
    SignedManifest m =
        store
            .find(name, version)
            .orElseThrow(
                () ->
                    ProblemException.notFound(
                        "model '" + name + "' has no version '" + version + "' on this node"));
    return Response.ok(view(m));
  }

  private Response manifest(Request req) throws Exception {
    Digest d = Digest.parse(req.param("digest"));
    SignedManifest m =
        store
            .get(d)
            .orElseThrow(() -> ProblemException.notFound("no manifest " + d + " on this node"));
    return Response.ok(view(m));
  }

  private Response lineage(Request req) throws Exception {
    Digest d = Digest.parse(req.param("digest"));
    Lineage lineage = store.lineage(d);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("digest", d.toString());
    List<SignedManifest> chain =
        switch (lineage) {
          case Lineage.Complete c -> {
            body.put("complete", true);
            yield c.chain();
          }
          case Lineage.Broken b -> {
            body.put("complete", false);
            body.put("missingParent", b.missingParent().toString());
            yield b.chain();
          }
        };
    List<Object> views = new ArrayList<>();
    for (SignedManifest m : chain) {
      views.add(view(m));
    }
    body.put("lineage", views);
    return Response.ok(body);
  }

  /** Groups keep the store's name order; within a name the newest version comes first. */
  static List<ModelSummary> newestFirstPerName(List<ModelSummary> inPublishOrder) {
    Map<String, List<ModelSummary>> byName = new LinkedHashMap<>();
    for (ModelSummary s : inPublishOrder) {
      byName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(0, s);
    }
    List<ModelSummary> out = new ArrayList<>();
    byName.values().forEach(out::addAll);
    return out;
  }

  private Map<String, Object> listBody(List<ModelSummary> summaries) {
    List<Object> data = new ArrayList<>();
    for (ModelSummary s : summaries) {
      data.add(entry(s));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("object", "list");
    body.put("data", data);
    return body;
  }

  /** One list entry: OpenAI's model object plus Verity's fields. */
  private Map<String, Object> entry(ModelSummary s) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("id", s.name() + "@" + s.version());
    e.put("object", "model");
    e.put("created", s.createdAt().getEpochSecond());
    e.put("owned_by", s.publisher().keyId());
    e.put("name", s.name());
    e.put("version", s.version());
    e.put("digest", s.digest().toString());
    e.put("format", s.format().id());
    e.put("files", s.fileCount());
    e.put("totalSize", s.totalSize());
    e.put("publishedAt", s.publishedAt().toString());
    store
        .get(s.digest())
        .ifPresent(
            m -> {
              e.put("description", m.manifest().description());
              e.put("license", m.manifest().license());
            });
    return e;
  }

  /** A manifest as the API shows it: digest, parsed summary, and the signed envelope itself. */
  static Map<String, Object> view(SignedManifest signed) throws Exception {
    ModelManifest m = signed.manifest();
    Map<String, Object> man = new LinkedHashMap<>();
    man.put("name", m.name());
    man.put("version", m.version());
    man.put("format", m.format().id());
    List<Object> files = new ArrayList<>();
    for (ManifestFile f : m.files()) {
      Map<String, Object> fo = new LinkedHashMap<>();
      fo.put("path", f.path());
      fo.put("size", f.size());
      fo.put("digest", f.digest().toString());
      files.add(fo);
    }
    man.put("files", files);
    m.parentDigest().ifPresent(p -> man.put("parent", p.toString()));
    man.put("license", m.license());
    man.put("description", m.description());
    man.put("source", m.source());
    man.put("createdAt", m.createdAt().toString());
    man.put("publisher", m.publisher().toText());
    man.put("publisherKeyId", m.publisher().keyId());
    man.put("totalSize", m.totalSize());
    JsonNode envelope = Json.MAPPER.readTree(signed.toJson());
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("digest", signed.digest().toString());
    view.put("manifest", man);
    view.put("envelope", envelope);
    return view;
  }
}

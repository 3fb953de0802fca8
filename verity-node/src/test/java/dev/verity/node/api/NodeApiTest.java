package dev.verity.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.dsse.DsseEnvelope;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's REST API over real loopback sockets, one case per bad input of the model hub. */
class NodeApiTest {
  static final long LIMIT = 256 * 1024;
  static final SigningKey KEY = SigningKey.fromSeed(Bytes.copyOf(new byte[32]));
  static final AtomicInteger SEQ = new AtomicInteger();

  @TempDir static Path data;
  static VerityNode node;
  static URI base;
  static HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    node = VerityNode.start(NodeConfig.ephemeral(data).withMaxUploadBytes(LIMIT));
    base = node.url();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(SEQ.incrementAndGet()).nextBytes(b);
    return b;
  }

  static HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static HttpRequest.Builder req(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
  }

  static JsonNode json(HttpResponse<byte[]> r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  static String detail(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    return json(r).get("detail").asText();
  }

  static Digest put(byte[] content) throws Exception {
    Digest d = Digest.of(content);
    var r = send(req("/v1/uploads/" + d).PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isIn(200, 201);
    return d;
  }

  static HttpResponse<byte[]> head(String path) throws Exception {
    return send(req(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
  }

  static SignedManifest manifest(String name, String version, Digest parent, byte[]... files) {
    List<ManifestFile> fs = new java.util.ArrayList<>();
    for (int i = 0; i < files.length; i++) {
      fs.add(new ManifestFile("f" + i + ".bin", files[i].length, Digest.of(files[i])));
    }
    return SignedManifest.sign(
        new ModelManifest(
            name,
            version,
            ModelFormat.OTHER,
            fs,
            parent,
            "MIT",
            "test model " + name,
            "",
            Instant.parse("2026-01-02T03:04:05Z"),
            KEY.verifyingKey()),
        KEY);
  }

  static HttpResponse<byte[]> publish(byte[] envelopeJson) throws Exception {
    return send(
        req("/v1/models")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(envelopeJson)));
  }

  /** No partial or temp file of {@code d} anywhere in the data directory. */
  static void assertNoTrace(Digest d) throws Exception {
    try (Stream<Path> s = Files.walk(data)) {
      assertThat(s.filter(p -> p.getFileName().toString().contains(d.hex())).toList()).isEmpty();
    }
  }

  @Test
  void blob_put_thenGetWholeAndRange() throws Exception {
    byte[] content = randomBytes(5000);
    Digest d = put(content);
    var whole = send(req("/v1/blobs/" + d));
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(content);
    assertThat(whole.headers().firstValue("ETag")).hasValue("\"" + d + "\"");
    var part = send(req("/v1/blobs/" + d).header("Range", "bytes=100-199"));
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 100-199/5000");
    assertThat(part.body()).isEqualTo(Arrays.copyOfRange(content, 100, 200));
    var tail = send(req("/v1/blobs/" + d).header("Range", "bytes=4990-"));
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(content, 4990, 5000));
    var h = head("/v1/blobs/" + d);
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(h.headers().firstValueAsLong("Content-Length")).hasValue(5000);
  }

  @Test
  void blob_rangeBeyondEnd_is416() throws Exception {
    Digest d = put(randomBytes(100));
    var r = send(req("/v1/blobs/" + d).header("Range", "bytes=100-"));
    assertThat(r.statusCode()).isEqualTo(416);
    assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes */100");
    assertThat(detail(r)).contains("which has 100 bytes");
  }

  @Test
  void blob_unknownDigest_is404NamingIt() throws Exception {
    Digest d = Digest.of(randomBytes(10));
    var r = send(req("/v1/blobs/" + d));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(detail(r)).isEqualTo("blob " + d + " is not in the store");
    assertThat(head("/v1/blobs/" + d).statusCode()).isEqualTo(404);
  }

  @Test
  void blob_malformedDigest_is400() throws Exception {
    var r = send(req("/v1/blobs/sha256:xyz"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(detail(r)).contains("digest must be 'sha256:' followed by 64 lower-case hex digits");
  }

  @Test
  void upload_contentNotMatchingDigest_is422AndNothingVisible() throws Exception {
    byte[] content = randomBytes(1000);
    Digest claimed = Digest.of(randomBytes(1000));
    var r =
        send(
            req("/v1/uploads/" + claimed)
                .header("Upload-Offset", "0")
                .header("Upload-Length", "1000")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(content)));
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(detail(r)).contains(claimed.toString()).contains(Digest.of(content).toString());
    assertThat(head("/v1/blobs/" + claimed).statusCode()).isEqualTo(404);
    assertNoTrace(claimed);
  }

  @Test
  void upload_declaredOverLimit_is413AndNothingVisible() throws Exception {
    byte[] content = randomBytes((int) LIMIT + 1);
    Digest d = Digest.of(content);
    var r =
        send(
            req("/v1/uploads/" + d)
                .header("Upload-Offset", "0")
                .header("Upload-Length", Long.toString(LIMIT + 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(content)));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(detail(r))
        .isEqualTo(
            "blob "
                + d
                + " is "
                + (LIMIT + 1)
                + " bytes; this node accepts blobs of at most "
                + LIMIT
                + " bytes");
    assertThat(head("/v1/blobs/" + d).statusCode()).isEqualTo(404);
    assertNoTrace(d);
  }

  @Test
  void upload_streamedOverLimitWithoutLength_is413AndNothingVisible() throws Exception {
    byte[] content = randomBytes((int) LIMIT * 2);
    Digest d = Digest.of(content);
    // ofInputStream has no declared length: the node must stop at the limit by itself.
    var r =
        send(
            req("/v1/uploads/" + d)
                .PUT(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(content))));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(detail(r)).contains("too large").contains("limit is " + LIMIT + " bytes");
    assertThat(head("/v1/blobs/" + d).statusCode()).isEqualTo(404);
    assertNoTrace(d);
  }

  @Test
  void upload_wrongOffset_is409WithCurrentOffset() throws Exception {
    byte[] content = randomBytes(2000);
    Digest d = Digest.of(content);
    var first =
        send(
            req("/v1/uploads/" + d)
                .header("Upload-Offset", "0")
                .header("Upload-Length", "2000")
                .method(
                    "PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOf(content, 500))));
    assertThat(first.statusCode()).isEqualTo(204);
    assertThat(first.headers().firstValueAsLong("Upload-Offset")).hasValue(500);
    var wrong =
        send(
            req("/v1/uploads/" + d)
                .header("Upload-Offset", "800")
                .header("Upload-Length", "2000")
                .method(
                    "PATCH",
                    HttpRequest.BodyPublishers.ofByteArray(
                        Arrays.copyOfRange(content, 800, 2000))));
    assertThat(wrong.statusCode()).isEqualTo(409);
    assertThat(wrong.headers().firstValueAsLong("Upload-Offset")).hasValue(500);
    assertThat(detail(wrong)).contains("resume at 500");
    var rest =
        send(
            req("/v1/uploads/" + d)
                .header("Upload-Offset", "500")
                .header("Upload-Length", "2000")
                .method(
                    "PATCH",
                    HttpRequest.BodyPublishers.ofByteArray(
                        Arrays.copyOfRange(content, 500, 2000))));
    assertThat(rest.statusCode()).isEqualTo(201);
    assertThat(send(req("/v1/blobs/" + d)).body()).isEqualTo(content);
  }

  @Test
  void upload_connectionCutMidway_keepsPrefixInvisibleThenResumes() throws Exception {
    byte[] content = randomBytes(200_000);
    Digest d = Digest.of(content);
    int sent = 120_000;
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      OutputStream out = s.getOutputStream();
      String headers =
          "PATCH /v1/uploads/"
              + d
              + " HTTP/1.1\r\nHost: localhost\r\nUpload-Offset: 0\r\nUpload-Length: "
              + content.length
              + "\r\nContent-Length: "
              + content.length
              + "\r\n\r\n";
      out.write(headers.getBytes(StandardCharsets.US_ASCII));
      out.write(content, 0, sent);
      out.flush();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> head("/v1/uploads/" + d).headers().firstValueAsLong("Upload-Offset"),
            o -> o.isPresent() && o.getAsLong() == sent);
    assertThat(head("/v1/uploads/" + d).headers().firstValue("Upload-Complete")).hasValue("?0");
    assertThat(head("/v1/blobs/" + d).statusCode()).isEqualTo(404);
    assertThat(send(req("/v1/blobs/" + d)).statusCode()).isEqualTo(404);
    var rest =
        send(
            req("/v1/uploads/" + d)
                .header("Upload-Offset", Integer.toString(sent))
                .header("Upload-Length", Integer.toString(content.length))
                .method(
                    "PATCH",
                    HttpRequest.BodyPublishers.ofByteArray(
                        Arrays.copyOfRange(content, sent, content.length))));
    assertThat(rest.statusCode()).isEqualTo(201);
    assertThat(send(req("/v1/blobs/" + d)).body()).isEqualTo(content);
    assertThat(head("/v1/uploads/" + d).headers().firstValue("Upload-Complete")).hasValue("?1");
  }

  @Test
  void upload_cancel_discardsPartial() throws Exception {
    byte[] content = randomBytes(1000);
    Digest d = Digest.of(content);
    send(
        req("/v1/uploads/" + d)
            .header("Upload-Offset", "0")
            .header("Upload-Length", "1000")
            .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOf(content, 10))));
    assertThat(send(req("/v1/uploads/" + d).DELETE()).statusCode()).isEqualTo(204);
    assertThat(head("/v1/uploads/" + d).headers().firstValueAsLong("Upload-Offset")).hasValue(0);
    assertNoTrace(d);
  }

  @Test
  void publish_thenListShowLineage() throws Exception {
    byte[] a = randomBytes(300);
    put(a);
    SignedManifest v1 = manifest("lineage-model", "1", null, a);
    var r1 = publish(v1.toJson());
    assertThat(r1.statusCode()).isEqualTo(201);
    assertThat(json(r1).get("digest").asText()).isEqualTo(v1.digest().toString());
    SignedManifest v2 = manifest("lineage-model", "2", v1.digest(), a);
    assertThat(publish(v2.toJson()).statusCode()).isEqualTo(201);
    var again = publish(v2.toJson());
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json(again).get("created").asBoolean()).isFalse();

    JsonNode list = json(send(req("/v1/models?q=LINEAGE")));
    assertThat(list.get("object").asText()).isEqualTo("list");
    assertThat(list.get("data")).hasSize(2);
    assertThat(list.get("data").get(0).get("id").asText()).isEqualTo("lineage-model@2");
    assertThat(list.get("data").get(0).get("description").asText())
        .isEqualTo("test model lineage-model");
    assertThat(json(send(req("/v1/models?q=nothing-like-this"))).get("data")).isEmpty();

    JsonNode versions = json(send(req("/v1/models/lineage-model")));
    assertThat(versions.get("data").get(1).get("version").asText()).isEqualTo("1");

    JsonNode one = json(send(req("/v1/models/lineage-model/1")));
    assertThat(one.get("digest").asText()).isEqualTo(v1.digest().toString());
    assertThat(one.get("manifest").get("files").get(0).get("path").asText()).isEqualTo("f0.bin");
    byte[] env = Json.MAPPER.writeValueAsBytes(one.get("envelope"));
    assertThat(SignedManifest.parse(env).digest()).isEqualTo(v1.digest());

    JsonNode byDigest = json(send(req("/v1/manifests/" + v2.digest())));
    assertThat(byDigest.get("manifest").get("parent").asText()).isEqualTo(v1.digest().toString());

    JsonNode lineage = json(send(req("/v1/manifests/" + v2.digest() + "/lineage")));
    assertThat(lineage.get("complete").asBoolean()).isTrue();
    assertThat(lineage.get("lineage")).hasSize(2);
    assertThat(lineage.get("lineage").get(1).get("digest").asText())
        .isEqualTo(v1.digest().toString());
  }

  @Test
  void publish_sameVersionDifferentContent_is409NamingBothDigests() throws Exception {
    byte[] a = randomBytes(100);
    byte[] b = randomBytes(100);
    put(a);
    put(b);
    SignedManifest first = manifest("clash", "1", null, a);
    SignedManifest second = manifest("clash", "1", null, b);
    assertThat(publish(first.toJson()).statusCode()).isEqualTo(201);
    var r = publish(second.toJson());
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(detail(r)).contains(first.digest().toString()).contains(second.digest().toString());
    assertThat(json(send(req("/v1/models/clash/1"))).get("digest").asText())
        .isEqualTo(first.digest().toString());
  }

  @Test
  void publish_missingBlobs_is422NamingThem() throws Exception {
    byte[] a = randomBytes(100);
    SignedManifest m = manifest("missing-blobs", "1", null, a);
    var r = publish(m.toJson());
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(detail(r)).contains(Digest.of(a).toString());
    assertThat(json(r).get("missing").get(0).asText()).isEqualTo(Digest.of(a).toString());
    assertThat(send(req("/v1/models/missing-blobs")).statusCode()).isEqualTo(404);
  }

  @Test
  void publish_unsigned_is422() throws Exception {
    byte[] a = randomBytes(100);
    put(a);
    SignedManifest m = manifest("unsigned", "1", null, a);
    DsseEnvelope bare =
        new DsseEnvelope(m.envelope().payloadType(), m.envelope().payload(), List.of());
    var r = publish(bare.toJson().toByteArray());
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(detail(r)).contains("unsigned");
  }

  @Test
  void publish_tamperedPayload_is422BadSignature() throws Exception {
    byte[] a = randomBytes(100);
    put(a);
    SignedManifest m = manifest("tampered", "1", null, a);
    String statement = m.envelope().payload().toUtf8String().replace("\"MIT\"", "\"GPL\"");
    DsseEnvelope forged =
        new DsseEnvelope(
            m.envelope().payloadType(), Bytes.utf8(statement), m.envelope().signatures());
    var r = publish(forged.toJson().toByteArray());
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(detail(r)).contains("bad signature");
    assertThat(send(req("/v1/models/tampered")).statusCode()).isEqualTo(404);
  }

  @Test
  void publish_pathTraversalOrAbsolutePath_is400() throws Exception {
    byte[] a = randomBytes(100);
    put(a);
    SignedManifest m = manifest("traversal", "1", null, a);
    for (String[] bad :
        new String[][] {{"../f0.bin", "path traversal"}, {"/etc/f0.bin", "absolute"}}) {
      String statement =
          m.envelope().payload().toUtf8String().replace("\"f0.bin\"", "\"" + bad[0] + "\"");
      DsseEnvelope env = DsseEnvelope.sign(SignedManifest.PAYLOAD_TYPE, Bytes.utf8(statement), KEY);
      var r = publish(env.toJson().toByteArray());
      assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
      assertThat(detail(r)).contains(bad[0]).contains(bad[1]);
    }
  }

  @Test
  void publish_notJson_is400() throws Exception {
    var r = publish("not json".getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(400);
  }

  @Test
  void manifest_unknown_is404() throws Exception {
    Digest d = Digest.of(randomBytes(5));
    var r = send(req("/v1/manifests/" + d));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(detail(r)).isEqualTo("no manifest " + d + " on this node");
    assertThat(send(req("/v1/manifests/" + d + "/lineage")).statusCode()).isEqualTo(404);
    assertThat(send(req("/v1/models/nope/1")).statusCode()).isEqualTo(404);
  }

  @Test
  void blob_tamperedOnDisk_is500NamingIt() throws Exception {
    byte[] content = randomBytes(3000);
    Digest d = put(content);
    Path file = data.resolve("blobs").resolve("sha256").resolve(d.hex());
    file.toFile().setWritable(true);
    byte[] bad = content.clone();
    bad[1234] ^= 1;
    Files.write(file, bad);
    var r = send(req("/v1/blobs/" + d));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(detail(r)).contains("stored blob " + d + " is corrupt or tampered with");
  }

  @Test
  void health_reportsLimit() throws Exception {
    JsonNode h = json(send(req("/v1/health")));
    assertThat(h.get("status").asText()).isEqualTo("ok");
    assertThat(h.get("maxUploadBytes").asLong()).isEqualTo(LIMIT);
  }

  static byte[] readAll(InputStream in) throws Exception {
    return in.readAllBytes();
  }
}

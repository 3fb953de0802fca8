package dev.verity.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.dsse.DsseEnvelope;
import dev.verity.core.key.KeyFiles;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model hub through the CLI against a real node on loopback: publish, list, show, download,
 * verify with the shared models, and every bad input the hub must refuse.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelHubCliTest {
  @TempDir static Path tmp;
  static Path shared;
  static VerityNode node;
  static String url;
  static Path key;
  static String seed;
  static String mnistDigest;
  static String storiesDigest;

  @BeforeAll
  static void setUp() throws Exception {
    System.setProperty("verity.home", tmp.resolve("home").toString());
    shared = Path.of(System.getProperty("verity.shared", "../../shared")).toAbsolutePath();
    node = VerityNode.start(NodeConfig.ephemeral(tmp.resolve("node")));
    url = node.url().toString();
    key = tmp.resolve("publisher.key");
    Cli.Result r = Cli.run("key", "generate", "--out", key.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    seed = Files.readString(key).replaceAll(".*\"seed\":\"([^\"]+)\".*\\s*", "$1");
    assertThat(seed).hasSize(44);
    r = publish(shared.resolve("models/mnist/mnist-7.onnx"), "mnist", "7", "--license", "MIT");
    assertThat(r.exit()).as(r.err()).isZero();
    mnistDigest = r.out().strip();
    r = publish(shared.resolve("models/tinyllamas"), "tinystories-260k", "1");
    assertThat(r.exit()).as(r.err()).isZero();
    storiesDigest = r.out().strip();
  }

  @AfterAll
  static void tearDown() {
    node.close();
    // No command ever printed the private key.
    assertThat(Cli.ALL_OUTPUT.toString()).doesNotContain(seed);
  }

  static Cli.Result publish(Path path, String name, String version, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "model",
                "publish",
                path.toString(),
                "--name",
                name,
                "--version",
                version,
                "--key",
                key.toString(),
                "--node",
                url));
    args.addAll(Arrays.asList(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  static Cli.Result download(String ref, Path out, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("model", "download", ref, "--out", out.toString(), "--node", url));
    args.addAll(Arrays.asList(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  static String publicKeyText() throws Exception {
    return KeyFiles.readPrivate(key).verifyingKey().toText();
  }

  @Test
  @Order(1)
  void publish_printsManifestDigests() {
    assertThat(mnistDigest).matches("sha256:[0-9a-f]{64}");
    assertThat(storiesDigest).matches("sha256:[0-9a-f]{64}").isNotEqualTo(mnistDigest);
  }

  @Test
  void list_showsBothModels_andQueryFilters() {
    Cli.Result all = Cli.run("model", "list", "--node", url);
    assertThat(all.exit()).isZero();
    assertThat(all.out()).contains("mnist", mnistDigest, "tinystories-260k", storiesDigest);
    Cli.Result q = Cli.run("model", "list", "--query", "TINY", "--node", url);
    assertThat(q.out()).contains(storiesDigest).doesNotContain(mnistDigest);
    Cli.Result none = Cli.run("model", "list", "-q", "resnet", "--node", url);
    assertThat(none.out()).contains("no models match 'resnet'");
  }

  @Test
  void show_printsManifestFilesAndValidSignature() throws Exception {
    Cli.Result r = Cli.run("model", "show", "mnist@7", "--node", url);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("model:       mnist@7")
        .contains("manifest:    " + mnistDigest)
        .contains("signature:   valid")
        .contains("license:     MIT")
        .contains("publisher:   " + publicKeyText())
        .contains(
            "sha256:0d715376572e89832685c56a65ef1391f5f0b7dd31d61050c91ff3ecab16c032"
                + "        26454  mnist-7.onnx");
    assertThat(Cli.run("model", "show", mnistDigest, "--node", url).out())
        .contains("model:       mnist@7");
    assertThat(Cli.run("model", "show", "tinystories-260k", "--node", url).out())
        .contains("stories260K.bin", "tok512.bin");
  }

  @Test
  void downloadAndVerify_roundTrip_matchesOriginalBytes() throws Exception {
    Path out = tmp.resolve("dl-stories");
    Cli.Result d = download("tinystories-260k@1", out, "--publisher", publicKeyText());
    assertThat(d.exit()).as(d.err()).isZero();
    assertThat(d.out()).contains("downloaded and verified tinystories-260k@1");
    for (String f : List.of("stories260K.bin", "tok512.bin")) {
      assertThat(Files.readAllBytes(out.resolve(f)))
          .isEqualTo(Files.readAllBytes(shared.resolve("models/tinyllamas").resolve(f)));
    }
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("stories260K.bin", "tok512.bin");
    }
    Path manifest = tmp.resolve("dl-stories.manifest.json");
    assertThat(SignedManifest.parse(Files.readAllBytes(manifest)).digest().toString())
        .isEqualTo(storiesDigest);
    Cli.Result v =
        Cli.run(
            "model",
            "verify",
            out.toString(),
            "--manifest",
            manifest.toString(),
            "--publisher",
            publicKeyText());
    assertThat(v.exit()).as(v.err()).isZero();
    assertThat(v.out()).contains("verified tinystories-260k@1 (" + storiesDigest + "): 2 file(s)");
  }

  @Test
  void publish_withParent_showsLineage() {
    Cli.Result r =
        publish(
            shared.resolve("models/mnist/mnist-7.onnx"),
            "mnist",
            "7.1",
            "--parent",
            mnistDigest,
            "--description",
            "same weights, new version");
    assertThat(r.exit()).as(r.err()).isZero();
    String child = r.out().strip();
    Cli.Result show = Cli.run("model", "show", "mnist@7.1", "--node", url);
    assertThat(show.out())
        .contains("parent:      " + mnistDigest)
        .contains("lineage:\n  mnist@7.1  " + child + "\n    mnist@7  " + mnistDigest);
    // The identical blob was already on the node: nothing uploaded again.
    assertThat(r.err()).contains("uploaded 0 blob(s), 1 already on the node");
  }

  @Test
  void publish_sameVersionDifferentContent_isRefusedNamingBothDigests() throws Exception {
    Path other = tmp.resolve("other-model");
    Files.createDirectories(other);
    Files.writeString(other.resolve("weights.bin"), "different content");
    Cli.Result r = publish(other, "mnist", "7");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("error: ")
        .contains("mnist")
        .contains(mnistDigest)
        .containsPattern("sha256:(?!" + mnistDigest.substring(7) + ")[0-9a-f]{64}");
    assertThat(Cli.run("model", "show", "mnist@7", "--node", url).out())
        .contains("manifest:    " + mnistDigest);
  }

  @Test
  void verify_tamperedFile_failsNamingIt() throws Exception {
    Path out = tmp.resolve("dl-tamper");
    assertThat(download("tinystories-260k@1", out).exit()).isZero();
    byte[] b = Files.readAllBytes(out.resolve("tok512.bin"));
    b[100] ^= 1;
    Files.write(out.resolve("tok512.bin"), b);
    Cli.Result v =
        Cli.run(
            "model",
            "verify",
            out.toString(),
            "--manifest",
            tmp.resolve("dl-tamper.manifest.json").toString());
    assertThat(v.exit()).isEqualTo(1);
    assertThat(v.err()).startsWith("error: file 'tok512.bin' does not match the manifest");
    assertThat(v.err()).doesNotContain("\tat ");
  }

  @Test
  void verify_tamperedManifest_failsWithBadSignature() throws Exception {
    Path out = tmp.resolve("dl-manifest");
    assertThat(download("mnist@7", out).exit()).isZero();
    Path mf = tmp.resolve("dl-manifest.manifest.json");
    SignedManifest sm = SignedManifest.parse(Files.readAllBytes(mf));
    String statement = sm.envelope().payload().toUtf8String().replace("\"MIT\"", "\"GPL-3.0\"");
    DsseEnvelope forged =
        new DsseEnvelope(
            sm.envelope().payloadType(), Bytes.utf8(statement), sm.envelope().signatures());
    Path forgedFile = tmp.resolve("forged.manifest.json");
    Files.write(forgedFile, forged.toJson().toByteArray());
    Cli.Result v = Cli.run("model", "verify", out.toString(), "--manifest", forgedFile.toString());
    assertThat(v.exit()).isEqualTo(1);
    assertThat(v.err()).startsWith("error: manifest ").contains("bad signature");
  }

  @Test
  void verify_unsignedManifest_fails() throws Exception {
    Path out = tmp.resolve("dl-unsigned");
    assertThat(download("mnist@7", out).exit()).isZero();
    SignedManifest sm =
        SignedManifest.parse(Files.readAllBytes(tmp.resolve("dl-unsigned.manifest.json")));
    Path unsigned = tmp.resolve("unsigned.manifest.json");
    Files.write(
        unsigned,
        new DsseEnvelope(sm.envelope().payloadType(), sm.envelope().payload(), List.of())
            .toJson()
            .toByteArray());
    Cli.Result v = Cli.run("model", "verify", out.toString(), "--manifest", unsigned.toString());
    assertThat(v.exit()).isEqualTo(1);
    assertThat(v.err()).contains("envelope is unsigned");
  }

  @Test
  void verify_unexpectedPublisher_fails() throws Exception {
    Path out = tmp.resolve("dl-publisher");
    assertThat(download("mnist@7", out).exit()).isZero();
    String stranger = SigningKey.generate().verifyingKey().toText();
    Cli.Result v =
        Cli.run(
            "model",
            "verify",
            out.toString(),
            "--manifest",
            tmp.resolve("dl-publisher.manifest.json").toString(),
            "--publisher",
            stranger);
    assertThat(v.exit()).isEqualTo(1);
    assertThat(v.err()).contains("is signed by " + publicKeyText() + ", expected " + stranger);
    // download checks the publisher before fetching anything
    Path out2 = tmp.resolve("dl-publisher-2");
    Cli.Result d = download("mnist@7", out2, "--publisher", stranger);
    assertThat(d.exit()).isEqualTo(1);
    assertThat(d.err()).contains("expected " + stranger);
    assertThat(out2).doesNotExist();
  }

  @Test
  void verify_manifestWithTraversalOrAbsolutePath_isRefused() throws Exception {
    Path out = tmp.resolve("dl-traversal");
    assertThat(download("mnist@7", out).exit()).isZero();
    SigningKey k = KeyFiles.readPrivate(key);
    SignedManifest sm =
        SignedManifest.parse(Files.readAllBytes(tmp.resolve("dl-traversal.manifest.json")));
    for (String bad : List.of("../mnist-7.onnx", "/tmp/mnist-7.onnx")) {
      String statement =
          sm.envelope().payload().toUtf8String().replace("\"mnist-7.onnx\"", "\"" + bad + "\"");
      Path f = tmp.resolve("bad-path.manifest.json");
      Files.write(
          f,
          DsseEnvelope.sign(SignedManifest.PAYLOAD_TYPE, Bytes.utf8(statement), k)
              .toJson()
              .toByteArray());
      Cli.Result v = Cli.run("model", "verify", out.toString(), "--manifest", f.toString());
      assertThat(v.exit()).as(bad).isEqualTo(1);
      assertThat(v.err())
          .as(bad)
          .contains(bad)
          .containsAnyOf("path traversal", "file path is absolute");
    }
  }

  @Test
  void download_tamperedBlobOnNode_failsNamingItAndLeavesNothing() throws Exception {
    // A model of its own, so tampering does not disturb the other tests.
    Path model = tmp.resolve("victim");
    Files.createDirectories(model);
    byte[] content = new byte[100_000];
    new java.util.Random(7).nextBytes(content);
    Files.write(model.resolve("w.bin"), content);
    assertThat(publish(model, "victim", "1").exit()).isZero();
    Digest blob = Digest.of(content);
    Path stored = tmp.resolve("node/blobs/sha256").resolve(blob.hex());
    Files.setPosixFilePermissions(stored, PosixFilePermissions.fromString("rw-------"));
    content[5000] ^= 1;
    Files.write(stored, content);
    Path out = tmp.resolve("dl-victim");
    Cli.Result d = download("victim@1", out);
    assertThat(d.exit()).isEqualTo(1);
    assertThat(d.err()).contains("stored blob " + blob + " is corrupt or tampered with");
    assertThat(out.resolve("w.bin")).doesNotExist();
  }

  @Test
  void download_resumesFromPartFile() throws Exception {
    Path out = tmp.resolve("dl-resume");
    Files.createDirectories(out);
    byte[] full = Files.readAllBytes(shared.resolve("models/tinyllamas/stories260K.bin"));
    Files.write(out.resolve("stories260K.bin.part"), Arrays.copyOf(full, 400_000));
    Cli.Result d = download("tinystories-260k@1", out);
    assertThat(d.exit()).as(d.err()).isZero();
    assertThat(Files.readAllBytes(out.resolve("stories260K.bin"))).isEqualTo(full);
    assertThat(out.resolve("stories260K.bin.part")).doesNotExist();
  }

  @Test
  void download_partFileLongerThanBlob_startsOver() throws Exception {
    Path out = tmp.resolve("dl-longpart");
    Files.createDirectories(out);
    Files.write(out.resolve("tok512.bin.part"), new byte[20_000]);
    Cli.Result d = download("tinystories-260k@1", out);
    assertThat(d.exit()).as(d.err()).isZero();
    assertThat(Files.readAllBytes(out.resolve("tok512.bin")))
        .isEqualTo(Files.readAllBytes(shared.resolve("models/tinyllamas/tok512.bin")));
  }

  @Test
  void download_corruptPartFile_failsNamingFileAndDiscardsIt() throws Exception {
    Path out = tmp.resolve("dl-badpart");
    Files.createDirectories(out);
    Files.write(out.resolve("stories260K.bin.part"), new byte[1000]);
    Cli.Result d = download("tinystories-260k@1", out);
    assertThat(d.exit()).isEqualTo(1);
    assertThat(d.err()).contains("downloaded stories260K.bin (blob sha256:");
    assertThat(out.resolve("stories260K.bin.part")).doesNotExist();
    assertThat(out.resolve("stories260K.bin")).doesNotExist();
    // A second try starts clean and succeeds.
    assertThat(download("tinystories-260k@1", out).exit()).isZero();
  }

  @Test
  void download_unknownModelOrDigest_is404WithDetail() {
    Cli.Result r = download("no-such-model", tmp.resolve("x"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("error: no model named 'no-such-model' is published on this node\n");
    String d = Digest.of(new byte[] {1, 2, 3}).toString();
    Cli.Result r2 = download(d, tmp.resolve("y"));
    assertThat(r2.err()).isEqualTo("error: no manifest " + d + " on this node\n");
    Cli.Result r3 = download("mnist@99", tmp.resolve("z"));
    assertThat(r3.err()).isEqualTo("error: model 'mnist' has no version '99' on this node\n");
  }

  @Test
  void publish_overNodeLimit_isRefusedAndNothingVisible(@TempDir Path data) throws Exception {
    try (VerityNode small =
        VerityNode.start(NodeConfig.ephemeral(data).withMaxUploadBytes(512 * 1024))) {
      Cli.Result r =
          Cli.run(
              "model",
              "publish",
              shared.resolve("models/tinyllamas").toString(),
              "--name",
              "big",
              "--version",
              "1",
              "--key",
              key.toString(),
              "--node",
              small.url().toString());
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err())
          .isEqualTo(
              "error: file 'stories260K.bin' is 1056540 bytes; the node at "
                  + small.url()
                  + " accepts blobs of at most 524288 bytes\n");
      assertThat(Cli.run("model", "list", "--node", small.url().toString()).out())
          .contains("no models published");
    }
  }

  @Test
  void errors_noStackTraceUnlessVerbose() {
    Cli.Result quiet = Cli.run("model", "list", "--node", "http://127.0.0.1:1");
    assertThat(quiet.exit()).isEqualTo(1);
    assertThat(quiet.err()).startsWith("error: cannot connect to the node at http://127.0.0.1:1");
    assertThat(quiet.err()).doesNotContain("\tat ");
    Cli.Result verbose = Cli.run("model", "list", "--node", "http://127.0.0.1:1", "--verbose");
    assertThat(verbose.err()).contains("\tat ");
  }

  @Test
  void publish_missingPath_saysSo() {
    Cli.Result r = publish(tmp.resolve("nowhere"), "x", "1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("error: model path " + tmp.resolve("nowhere") + " does not exist\n");
  }

  @Test
  void publish_badName_saysWhichRule() {
    Cli.Result r = publish(shared.resolve("models/mnist/mnist-7.onnx"), "MNIST", "1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: bad model name 'MNIST'");
  }
}

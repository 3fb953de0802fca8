package dev.verity.hub.store;

import static dev.verity.hub.TestModels.GOLDEN_KEY;
import static dev.verity.hub.TestModels.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.SignatureVerificationException;
import dev.verity.core.dsse.DsseEnvelope;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.TestModels;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.ModelVerificationException;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.LocalFile;
import dev.verity.hub.publish.ModelHasher;
import dev.verity.hub.publish.ModelPublisher;
import dev.verity.hub.publish.ModelVerifier;
import dev.verity.hub.publish.PublishOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
  @TempDir Path root;
  @TempDir Path work;
  private ModelStore store;

  @BeforeEach
  void open() throws Exception {
    store = new ModelStore(root, StoreLimits.defaults());
  }

  @Test
  void publish_realModel_roundTripsThroughStoreAndVerifiesOffline() throws Exception {
    Path mnistDir = TestModels.shared().resolve("models/mnist");
    SignedManifest sm =
        ModelPublisher.createManifest(
            mnistDir, "mnist", "7", PublishOptions.none().withLicense("MIT"), GOLDEN_KEY);
    upload(mnistDir, sm);
    PublishOutcome out = store.publish(SignedManifest.parse(sm.toJson()));
    assertThat(out).isInstanceOf(PublishOutcome.Published.class);
    assertThat(out.summary().digest()).isEqualTo(sm.digest());
    store.verifyModel(sm.digest());

    // Download every file back by digest into a fresh directory and verify it offline.
    Path download = Files.createDirectories(work.resolve("download"));
    SignedManifest fetched = SignedManifest.parse(store.get(sm.digest()).orElseThrow().toJson());
    for (ManifestFile f : fetched.manifest().files()) {
      try (InputStream in = store.blobs().open(f.digest())) {
        Path target = f.resolveUnder(download);
        Files.createDirectories(target.getParent());
        Files.copy(in, target);
      }
    }
    ModelVerifier.verifyDirectory(download, fetched, GOLDEN_KEY.verifyingKey());
  }

  @Test
  void publish_missingBlobs_refusedListingThem() throws Exception {
    SignedManifest sm = golden();
    assertThat(store.missingBlobs(sm.manifest())).hasSize(2);
    assertThatThrownBy(() -> store.publish(sm))
        .isInstanceOf(MissingBlobsException.class)
        .hasMessageContaining("2 file blob(s) not uploaded yet");
    uploadGolden();
    assertThat(store.missingBlobs(sm.manifest())).isEmpty();
    assertThat(store.publish(sm)).isInstanceOf(PublishOutcome.Published.class);
  }

  @Test
  void publish_sameDigestAgain_idempotent_differentDigest_refusedNamingBoth() throws Exception {
    uploadGolden();
    SignedManifest first = golden();
    store.publish(first);
    assertThat(store.publish(first)).isInstanceOf(PublishOutcome.AlreadyPublished.class);

    ModelManifest m = TestModels.goldenManifest();
    ModelManifest changed =
        new ModelManifest(
            m.name(),
            m.version(),
            m.format(),
            m.files(),
            m.parent(),
            "Apache-2.0",
            m.description(),
            m.source(),
            m.createdAt(),
            m.publisher());
    SignedManifest second = SignedManifest.sign(changed, GOLDEN_KEY);
    assertThatThrownBy(() -> store.publish(second))
        .isInstanceOf(VersionConflictException.class)
        .hasMessageContaining("already published as manifest " + first.digest())
        .hasMessageContaining("different manifest " + second.digest());
    assertThat(store.find("golden-model", "1.0.0").orElseThrow().digest())
        .isEqualTo(first.digest());
  }

  @Test
  void publish_unsignedOrTampered_refused() throws Exception {
    uploadGolden();
    SignedManifest sm = golden();
    SignedManifest unsigned =
        new SignedManifest(
            new DsseEnvelope(SignedManifest.PAYLOAD_TYPE, sm.envelope().payload(), List.of()),
            sm.manifest(),
            sm.digest());
    assertThatThrownBy(() -> store.publish(unsigned))
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("unsigned");
    SignedManifest byOther =
        new SignedManifest(
            DsseEnvelope.sign(SignedManifest.PAYLOAD_TYPE, sm.envelope().payload(), OTHER_KEY),
            sm.manifest(),
            sm.digest());
    assertThatThrownBy(() -> store.publish(byOther))
        .isInstanceOf(SignatureVerificationException.class);
    assertThat(store.list()).isEmpty();
  }

  @Test
  void listSearchFindLatest_andRestartPersistence() throws Exception {
    uploadGolden();
    SignedManifest v1 = publishVersion("alpha-model", "1", null);
    SignedManifest v2 = publishVersion("alpha-model", "2", v1.digest());
    SignedManifest b = publishVersion("beta", "1", null);
    assertThat(store.list())
        .extracting(ModelSummary::name, ModelSummary::version)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("alpha-model", "1"),
            org.assertj.core.groups.Tuple.tuple("alpha-model", "2"),
            org.assertj.core.groups.Tuple.tuple("beta", "1"));
    assertThat(store.search("ALPHA")).hasSize(2);
    assertThat(store.search("et")).extracting(ModelSummary::digest).containsExactly(b.digest());
    assertThat(store.latest("alpha-model").orElseThrow().digest()).isEqualTo(v2.digest());
    assertThat(store.find("alpha-model", "1").orElseThrow().digest()).isEqualTo(v1.digest());
    assertThat(store.find("alpha-model", "3")).isEmpty();

    ModelStore reopened = new ModelStore(root, StoreLimits.defaults());
    assertThat(reopened.list()).isEqualTo(store.list());
    assertThat(reopened.latest("alpha-model").orElseThrow().digest()).isEqualTo(v2.digest());
    assertThat(reopened.get(b.digest()).orElseThrow().toJson()).isEqualTo(b.toJson());
  }

  @Test
  void restart_indexLost_rebuiltFromManifests() throws Exception {
    uploadGolden();
    SignedManifest v1 = publishVersion("m", "1", null);
    SignedManifest v2 = publishVersion("m", "2", v1.digest());
    Files.delete(root.resolve("index.json"));
    ModelStore reopened = new ModelStore(root, StoreLimits.defaults());
    assertThat(reopened.list())
        .extracting(ModelSummary::digest)
        .containsExactly(v1.digest(), v2.digest());
    assertThat(root.resolve("index.json")).exists();
  }

  @Test
  void lineage_followsParents_reportsMissingParent() throws Exception {
    uploadGolden();
    SignedManifest base = publishVersion("m", "1", null);
    SignedManifest ft = publishVersion("m", "2", base.digest());
    SignedManifest ft2 = publishVersion("m", "3", ft.digest());
    Lineage l = store.lineage(ft2.digest());
    assertThat(l).isInstanceOf(Lineage.Complete.class);
    assertThat(l.chain())
        .extracting(SignedManifest::digest)
        .containsExactly(ft2.digest(), ft.digest(), base.digest());

    Digest elsewhere = Digest.of(Bytes.utf8("published on another hub"));
    SignedManifest orphan = publishVersion("orphan", "1", elsewhere);
    Lineage broken = store.lineage(orphan.digest());
    assertThat(broken)
        .isInstanceOfSatisfying(
            Lineage.Broken.class, br -> assertThat(br.missingParent()).isEqualTo(elsewhere));
    assertThatThrownBy(() -> store.lineage(Digest.of(new byte[0])))
        .isInstanceOf(ManifestNotFoundException.class);
  }

  @Test
  void verifyModel_tamperedBlob_namesFile() throws Exception {
    uploadGolden();
    SignedManifest sm = golden();
    store.publish(sm);
    ManifestFile f = sm.manifest().file("weights/model.onnx").orElseThrow();
    Path blob = root.resolve("blobs/sha256/" + f.digest().hex());
    Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("rw-r--r--"));
    Files.writeString(blob, "not really an onnx grapH\n");
    assertThatThrownBy(() -> store.verifyModel(sm.digest()))
        .isInstanceOf(ModelVerificationException.class)
        .hasMessageContaining("'weights/model.onnx' is corrupt in the store")
        .hasMessageContaining("expected " + f.digest());
  }

  @Test
  void restart_tamperedManifestFile_ignored() throws Exception {
    uploadGolden();
    SignedManifest sm = golden();
    store.publish(sm);
    Path mf = root.resolve("manifests/" + sm.digest().hex() + ".json");
    String json = Files.readString(mf);
    Files.writeString(mf, json.replace("\"sig\":\"", "\"sig\":\"A"));
    ModelStore reopened = new ModelStore(root, StoreLimits.defaults());
    assertThat(reopened.get(sm.digest())).isEmpty();
    assertThat(reopened.list()).isEmpty();
  }

  private SignedManifest golden() {
    return SignedManifest.sign(TestModels.goldenManifest(), GOLDEN_KEY);
  }

  private void uploadGolden() throws Exception {
    Path dir = TestModels.writeGoldenFiles(Files.createDirectories(work.resolve("golden")));
    for (LocalFile f : ModelHasher.listFiles(dir)) {
      try (InputStream in = Files.newInputStream(f.file())) {
        store.blobs().put(in, ModelHasher.sha256(f.file()), f.size());
      }
    }
  }

  private void upload(Path modelDir, SignedManifest sm) throws Exception {
    for (LocalFile f : ModelHasher.listFiles(modelDir)) {
      ManifestFile mf = sm.manifest().file(f.path()).orElseThrow();
      try (InputStream in = Files.newInputStream(f.file())) {
        store.blobs().put(in, mf.digest(), mf.size());
      }
    }
  }

  private SignedManifest publishVersion(String name, String version, Digest parent)
      throws Exception {
    ModelManifest m = TestModels.goldenManifest();
    SigningKey key = GOLDEN_KEY;
    ModelManifest mm =
        new ModelManifest(
            name,
            version,
            m.format(),
            m.files(),
            parent,
            "",
            "",
            "",
            Instant.parse("2026-01-01T00:00:00Z").plusSeconds(Long.parseLong(version)),
            key.verifyingKey());
    SignedManifest sm = SignedManifest.sign(mm, key);
    assertThat(store.publish(sm)).isInstanceOf(PublishOutcome.Published.class);
    return sm;
  }
}

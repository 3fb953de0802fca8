package dev.verity.hub.publish;

import dev.verity.core.SignatureVerificationException;
import dev.verity.core.key.VerifyingKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelVerificationException;
import dev.verity.hub.manifest.SignedManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Checks model files on local disk against a signed manifest, offline. */
public final class ModelVerifier {
  private ModelVerifier() {}

  /**
   * Like {@link #verifyDirectory(Path, SignedManifest, VerifyingKey, ProgressListener)} with no
   * expected publisher (the manifest's own publisher key must have signed it).
   */
  public static void verifyDirectory(Path dir, SignedManifest manifest)
      throws IOException, SignatureVerificationException, ModelVerificationException {
    verify(dir, manifest, null, ProgressListener.NONE);
  }

  public static void verifyDirectory(Path dir, SignedManifest manifest, VerifyingKey expected)
      throws IOException, SignatureVerificationException, ModelVerificationException {
    verify(dir, manifest, expected, ProgressListener.NONE);
  }

  /**
   * Verifies the manifest's signature (by its publisher and, if given, by {@code expected}), then
   * that {@code dir} holds exactly the manifest's files with their sizes and digests. {@code dir}
   * may also be a single file, for a one-file model.
   *
   * @throws SignatureVerificationException if the signature check fails
   * @throws ModelVerificationException naming the first (in path order) missing, unexpected,
   *     wrong-size or wrong-digest file, with expected versus actual
   */
  public static void verifyDirectory(
      Path dir, SignedManifest manifest, VerifyingKey expected, ProgressListener progress)
      throws IOException, SignatureVerificationException, ModelVerificationException {
    verify(dir, manifest, expected, progress);
  }

  private static void verify(
      Path dir, SignedManifest signed, VerifyingKey expected, ProgressListener progress)
      throws IOException, SignatureVerificationException, ModelVerificationException {
    if (expected == null) {
      signed.verify();
    } else {
      signed.verify(expected);
    }
    List<ManifestFile> wanted = signed.manifest().files();
    Map<String, LocalFile> present = new TreeMap<>();
    for (LocalFile f : ModelHasher.listFiles(dir)) {
      present.put(f.path(), f);
    }
    for (ManifestFile f : wanted) {
      if (!present.containsKey(f.path())) {
        throw new ModelVerificationException(
            f.path(), "missing file '" + f.path() + "' (expected " + f.digest() + ")");
      }
    }
    for (String path : present.keySet()) {
      if (signed.manifest().file(path).isEmpty()) {
        throw new ModelVerificationException(
            path, "unexpected file '" + path + "' is not in manifest " + signed.digest());
      }
    }
    for (ManifestFile f : wanted) {
      long actual = present.get(f.path()).size();
      if (actual != f.size()) {
        throw new ModelVerificationException(
            f.path(),
            "file '" + f.path() + "' has " + actual + " bytes, manifest says " + f.size());
      }
    }
    List<LocalFile> toHash = wanted.stream().map(f -> present.get(f.path())).toList();
    List<ManifestFile> actual = new ModelHasher().hash(toHash, progress);
    for (int i = 0; i < wanted.size(); i++) {
      ManifestFile w = wanted.get(i);
      ManifestFile a = actual.get(i);
      if (!w.digest().equals(a.digest())) {
        throw new ModelVerificationException(
            w.path(),
            "file '"
                + w.path()
                + "' does not match the manifest: expected "
                + w.digest()
                + ", actual "
                + a.digest());
      }
    }
  }
}

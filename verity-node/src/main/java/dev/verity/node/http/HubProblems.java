package dev.verity.node.http;

import dev.verity.hub.manifest.ModelVerificationException;
import dev.verity.hub.store.BlobNotFoundException;
import dev.verity.hub.store.CorruptBlobException;
import dev.verity.hub.store.InvalidRangeException;
import dev.verity.hub.store.LineageException;
import dev.verity.hub.store.ManifestNotFoundException;
import dev.verity.hub.store.MissingBlobsException;
import dev.verity.hub.store.SizeLimitExceededException;
import dev.verity.hub.store.SizeMismatchException;
import dev.verity.hub.store.UploadOffsetException;
import dev.verity.hub.store.VersionConflictException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Statuses for the model hub's exceptions; kept next to {@link ProblemMapper}, its only caller. */
final class HubProblems {
  private static final Logger log = LoggerFactory.getLogger(HubProblems.class);

  private HubProblems() {}

  static ProblemMapper.Mapped map(Throwable e) {
    return switch (e) {
      case BlobNotFoundException b ->
          mapped(Problem.of(404, "blob-not-found", "Blob not found", b.getMessage()));
      case ManifestNotFoundException m ->
          mapped(Problem.of(404, "manifest-not-found", "Manifest not found", m.getMessage()));
      case VersionConflictException v ->
          mapped(
              Problem.of(409, "version-conflict", "Version already published", v.getMessage())
                  .with("existing", v.existing().toString())
                  .with("rejected", v.rejected().toString()));
      case MissingBlobsException m ->
          mapped(
              Problem.of(422, "missing-blobs", "Blobs missing", m.getMessage())
                  .with("missing", m.missing().stream().map(Object::toString).toList()));
      case LineageException l ->
          mapped(Problem.of(422, "bad-lineage", "Inconsistent lineage", l.getMessage()));
      case SizeLimitExceededException s ->
          mapped(
              Problem.of(413, "too-large", "Content too large", s.getMessage())
                  .with("limit", s.limit()));
      case SizeMismatchException s ->
          mapped(Problem.of(422, "size-mismatch", "Size mismatch", s.getMessage()));
      case UploadOffsetException u ->
          new ProblemMapper.Mapped(
              Problem.of(409, "upload-offset", "Upload offset mismatch", u.getMessage())
                  .with("offset", u.currentOffset()),
              Map.of("Upload-Offset", Long.toString(u.currentOffset())));
      case InvalidRangeException r ->
          new ProblemMapper.Mapped(
              Problem.of(416, "range-not-satisfiable", "Range not satisfiable", r.getMessage()),
              Map.of("Content-Range", "bytes */" + r.size()));
      case ModelVerificationException m ->
          mapped(
              Problem.of(422, "verification-failed", "Verification failed", m.getMessage())
                  .with("path", m.path()));
      case CorruptBlobException c -> {
        // The node's own disk is damaged or was tampered with: an operator must look.
        log.error("stored blob is corrupt: {}", c.getMessage());
        yield mapped(
            Problem.of(500, "corrupt-blob", "Stored blob is corrupt", c.getMessage())
                .with("digest", c.expected().toString()));
      }
      default -> null;
    };
  }

  private static ProblemMapper.Mapped mapped(Problem p) {
    return new ProblemMapper.Mapped(p, Map.of());
  }
}

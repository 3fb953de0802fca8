package dev.verity.node.api.blobs;

import dev.verity.core.Digest;
import dev.verity.hub.store.BlobStore;
import dev.verity.hub.store.UploadSession;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.ByteRange;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Request;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import java.io.InputStream;
import java.util.Optional;

/**
 * Blobs and resumable uploads.
 *
 * <ul>
 *   <li>{@code HEAD /v1/uploads/{digest}}: {@code Upload-Offset} is how many bytes the node holds;
 *       {@code Upload-Complete: ?1} once the blob is stored
 *   <li>{@code PATCH /v1/uploads/{digest}} with {@code Upload-Offset} and {@code Upload-Length}:
 *       appends; 201 when the blob is complete and verified, 204 while more is expected
 *   <li>{@code PUT /v1/uploads/{digest}}: the whole blob in one request
 *   <li>{@code DELETE /v1/uploads/{digest}}: discards a partial upload
 *   <li>{@code GET}/{@code HEAD /v1/blobs/{digest}}: download, with single byte ranges
 * </ul>
 *
 * Nothing is visible under {@code /v1/blobs} until it is complete and hashes to its digest.
 */
public final class BlobsApi implements ApiModule {
  /** Full downloads up to this size are verified before the first byte is sent. */
  static final long PREVERIFY_MAX_BYTES = 64L << 20;

  private final BlobStore blobs;
  private final long maxUploadBytes;

  public BlobsApi(BlobStore blobs, long maxUploadBytes) {
    this.blobs = blobs;
    this.maxUploadBytes = maxUploadBytes;
  }

  @Override
  public void register(Router router) {
    router.head("/v1/uploads/{digest}", this::uploadStatus);
    router.patch("/v1/uploads/{digest}", this::uploadChunk);
    router.put("/v1/uploads/{digest}", this::uploadWhole);
    router.delete("/v1/uploads/{digest}", this::uploadCancel);
    router.get("/v1/blobs/{digest}", this::getBlob);
    router.head("/v1/blobs/{digest}", this::headBlob);
  }

  static Digest digest(Request req) {
    return Digest.parse(req.param("digest"));
  }

  private Response uploadStatus(Request req) throws Exception {
    Digest d = digest(req);
    if (blobs.has(d)) {
      return Response.empty(200)
          .withHeader("Upload-Offset", Long.toString(blobs.size(d)))
          .withHeader("Upload-Length", Long.toString(blobs.size(d)))
          .withHeader("Upload-Complete", "?1");
    }
    Optional<UploadSession> s = blobs.existingUpload(d);
    Response r =
        Response.empty(200)
            .withHeader("Upload-Offset", Long.toString(s.isPresent() ? s.get().offset() : 0))
            .withHeader("Upload-Complete", "?0");
    return s.isPresent() ? r.withHeader("Upload-Length", Long.toString(s.get().expectedSize())) : r;
  }

  private Response uploadChunk(Request req) throws Exception {
    Digest d = digest(req);
    long offset =
        req.longHeader("Upload-Offset")
            .orElseThrow(() -> ProblemException.badRequest("header Upload-Offset is required"));
    long total =
        req.longHeader("Upload-Length")
            .orElseThrow(
                () ->
                    ProblemException.badRequest(
                        "header Upload-Length (the blob's total size) is required"));
    checkLimit(d, total);
    long chunk = req.contentLength();
    if (chunk >= 0 && offset + chunk > total) {
      throw ProblemException.badRequest(
          "chunk of "
              + chunk
              + " bytes at offset "
              + offset
              + " would end beyond Upload-Length "
              + total);
    }
    UploadSession session = blobs.upload(d, total);
    long now = session.append(req.body(), offset);
    if (session.isComplete()) {
      return stored(d, now, 201);
    }
    return Response.empty(204).withHeader("Upload-Offset", Long.toString(now));
  }

  private Response uploadWhole(Request req) throws Exception {
    Digest d = digest(req);
    long length = req.contentLength();
    if (length >= 0) {
      checkLimit(d, length);
    }
    try (InputStream in = req.body()) {
      boolean created = blobs.put(in, d, length, maxUploadBytes);
      return stored(d, blobs.size(d), created ? 201 : 200);
    }
  }

  private Response uploadCancel(Request req) throws Exception {
    Digest d = digest(req);
    Optional<UploadSession> s = blobs.existingUpload(d);
    if (s.isPresent()) {
      s.get().abort();
    }
    return Response.empty(204);
  }

  private Response getBlob(Request req) throws Exception {
    Digest d = digest(req);
    long size = blobs.size(d);
    Optional<ByteRange> range = ByteRange.parse(req.header("Range"), size);
    if (range.isPresent() && !ifRangeMatches(req, d)) {
      range = Optional.empty();
    }
    if (range.isPresent()) {
      ByteRange r = range.get();
      return blobHeaders(
          Response.stream(
                  206,
                  "application/octet-stream",
                  r.length(),
                  blobs.openRange(d, r.first(), r.last()))
              .withHeader("Content-Range", r.contentRange()),
          d);
    }
    if (size <= PREVERIFY_MAX_BYTES) {
      // Small enough to re-hash up front, so a corrupt blob gets a clear 500 problem.
      blobs.verify(d);
    }
    return blobHeaders(
        Response.stream(
            200, "application/octet-stream", size, new HoldBackInputStream(blobs.open(d))),
        d);
  }

  private Response headBlob(Request req) throws Exception {
    Digest d = digest(req);
    long size = blobs.size(d);
    return blobHeaders(Response.empty(200).withHeader("Content-Length", Long.toString(size)), d);
  }

  /** A range request with an If-Range naming another entity gets the whole blob (RFC 9110). */
  private static boolean ifRangeMatches(Request req, Digest d) {
    return req.header("If-Range").map(v -> v.equals(etag(d))).orElse(true);
  }

  private static Response blobHeaders(Response r, Digest d) {
    return r.withHeader("ETag", etag(d))
        .withHeader("Accept-Ranges", "bytes")
        .withHeader("Cache-Control", "public, max-age=31536000, immutable");
  }

  static String etag(Digest d) {
    return "\"" + d + "\"";
  }

  private void checkLimit(Digest d, long size) {
    if (size > maxUploadBytes) {
      throw ProblemException.tooLarge(
          "blob "
              + d
              + " is "
              + size
              + " bytes; this node accepts blobs of at most "
              + maxUploadBytes
              + " bytes");
    }
  }

  private static Response stored(Digest d, long size, int status) {
    return Response.empty(status)
        .withHeader("Location", "/v1/blobs/" + d)
        .withHeader("Upload-Offset", Long.toString(size))
        .withHeader("Upload-Complete", "?1");
  }
}

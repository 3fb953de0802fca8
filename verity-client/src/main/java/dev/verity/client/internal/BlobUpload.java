package dev.verity.client.internal;

import dev.verity.client.ProgressListener;
import dev.verity.client.VerityApiException;
import dev.verity.core.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads one blob with resume: asks the node how much it holds ({@code HEAD /v1/uploads/D}), then
 * sends the rest with {@code PATCH}; after a broken connection it asks again and continues. Only
 * attempts that moved the node's offset no further count against {@link #MAX_ATTEMPTS}, so an
 * upload longer than the node's request-time limit (the node closes a request after it) resumes
 * until done.
 */
public final class BlobUpload {
  private static final Logger log = LoggerFactory.getLogger(BlobUpload.class);
  static final int MAX_ATTEMPTS = 5;

  private final Transport t;

  public BlobUpload(Transport t) {
    this.t = t;
  }

  /** How much of {@code digest} the node holds, and whether the blob is complete. */
  public record Status(long offset, boolean complete) {}

  public Status status(Digest digest) throws IOException {
    HttpRequest req =
        t.request(path(digest)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
    HttpResponse<byte[]> r = t.send(req, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw Transport.problem(r.statusCode(), r.body(), req);
    }
    long offset = r.headers().firstValueAsLong("Upload-Offset").orElse(0);
    boolean complete = r.headers().firstValue("Upload-Complete").orElse("?0").equals("?1");
    return new Status(offset, complete);
  }

  public void cancel(Digest digest) throws IOException {
    t.sendJson(t.request(path(digest)).DELETE().build());
  }

  public void upload(Digest digest, Path file, ProgressListener progress) throws IOException {
    long size = Files.size(file);
    IOException last = null;
    long bestOffset = -1;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Status st = status(digest);
      if (st.offset() > bestOffset) {
        if (bestOffset >= 0) {
          attempt = 1; // the last attempt made progress: keep going
        }
        bestOffset = st.offset();
      }
      if (st.complete()) {
        progress.progress(size, size);
        return;
      }
      long offset = st.offset();
      if (offset > size) {
        // The node holds more than this file has: a different upload for the same digest.
        cancel(digest);
        offset = 0;
      }
      try {
        if (send(digest, file, offset, size, progress)) {
          progress.progress(size, size);
          return;
        }
      } catch (VerityApiException e) {
        throw e;
      } catch (IOException e) {
        last = e;
        log.debug("upload of {} interrupted at attempt {}: {}", digest, attempt, e.toString());
      }
    }
    throw new IOException(
        "upload of "
            + file
            + " ("
            + digest
            + ") failed: "
            + MAX_ATTEMPTS
            + " attempts in a row made no progress past byte "
            + bestOffset
            + ": "
            + (last == null ? "the node kept asking for a different offset" : last.getMessage()),
        last);
  }

  /** Sends bytes from {@code offset}; true when the node reports the blob complete. */
  private boolean send(Digest digest, Path file, long offset, long size, ProgressListener progress)
      throws IOException {
    long length = size - offset;
    HttpRequest.BodyPublisher body =
        HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofInputStream(() -> open(file, offset, size, progress)),
            length);
    if (length == 0) {
      body = HttpRequest.BodyPublishers.noBody();
    }
    HttpRequest req =
        t.longRequest(path(digest))
            .header("Upload-Offset", Long.toString(offset))
            .header("Upload-Length", Long.toString(size))
            .header("Content-Type", "application/octet-stream")
            .method("PATCH", body)
            .build();
    HttpResponse<byte[]> r = t.send(req, HttpResponse.BodyHandlers.ofByteArray());
    return switch (r.statusCode()) {
      case 201 -> true;
      case 204, 409 -> false; // Not done, or the offset moved: ask again and continue.
      default -> throw Transport.problem(r.statusCode(), r.body(), req);
    };
  }

  private static InputStream open(Path file, long offset, long size, ProgressListener progress) {
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      ch.position(offset);
      return new Counting(Channels.newInputStream(ch), offset, size, progress);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String path(Digest digest) {
    return "/v1/uploads/" + digest;
  }

  /** Reports bytes as the HTTP client reads them. */
  static final class Counting extends FilterInputStream {
    private long done;
    private final long total;
    private final ProgressListener progress;

    Counting(InputStream in, long done, long total, ProgressListener progress) {
      super(in);
      this.done = done;
      this.total = total;
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        progress.progress(++done, total);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        done += n;
        progress.progress(done, total);
      }
      return n;
    }
  }
}

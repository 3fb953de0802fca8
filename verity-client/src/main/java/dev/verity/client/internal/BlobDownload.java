package dev.verity.client.internal;

import dev.verity.client.ProgressListener;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.DigestMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Downloads one blob to a file with resume: bytes go to {@code FILE.part}; a later call continues
 * from its length with an HTTP range request. Only a complete file whose SHA-256 matches the digest
 * is renamed (atomically) to its final name, so a half-downloaded or corrupt file never appears
 * there.
 */
public final class BlobDownload {
  private final Transport t;

  public BlobDownload(Transport t) {
    this.t = t;
  }

  public static Path partFile(Path target) {
    return target.resolveSibling(target.getFileName() + ".part");
  }

  public void download(Digest digest, Path target, ProgressListener progress)
      throws IOException, DigestMismatchException {
    if (Files.exists(target)) {
      Digest have = sha256(target);
      if (have.equals(digest)) {
        long n = Files.size(target);
        progress.progress(n, n);
        return;
      }
      throw new java.nio.file.FileAlreadyExistsException(
          target.toString(), null, "exists with different content; refusing to overwrite it");
    }
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path part = partFile(target);
    for (int attempt = 0; attempt < 2; attempt++) {
      long have = Files.exists(part) ? Files.size(part) : 0;
      HttpRequest.Builder b = t.longRequest("/v1/blobs/" + digest).GET();
      if (have > 0) {
        b.header("Range", "bytes=" + have + "-");
      }
      HttpRequest req = b.build();
      HttpResponse<InputStream> r = t.send(req, HttpResponse.BodyHandlers.ofInputStream());
      int status = r.statusCode();
      if (status == 416) {
        r.body().close();
        long size = total(r.headers().firstValue("Content-Range").orElse(""));
        if (size == have) {
          break; // Everything is already in the part file.
        }
        Files.deleteIfExists(part); // The part file is longer than the blob: start over.
        continue;
      }
      if (status != 200 && status != 206) {
        throw Transport.problem(r);
      }
      long start = 0;
      long total = r.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (status == 206) {
        String cr = r.headers().firstValue("Content-Range").orElse("");
        start = first(cr);
        total = total(cr);
        if (start != have) {
          r.body().close();
          throw new IOException(
              "node answered range " + cr + " but " + have + " bytes were requested to be skipped");
        }
      }
      try (InputStream in = r.body();
          FileChannel ch =
              FileChannel.open(
                  part,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE,
                  status == 206
                      ? StandardOpenOption.APPEND
                      : StandardOpenOption.TRUNCATE_EXISTING);
          OutputStream out = Channels.newOutputStream(ch)) {
        byte[] buf = new byte[1 << 16];
        long done = start;
        progress.progress(done, total);
        for (int n; (n = in.read(buf)) >= 0; ) {
          out.write(buf, 0, n);
          done += n;
          progress.progress(done, total);
        }
        ch.force(true);
      }
      break;
    }
    Digest actual = sha256(part);
    if (!actual.equals(digest)) {
      Files.deleteIfExists(part);
      throw new DigestMismatchException(
          "downloaded " + target.getFileName() + " (blob " + digest + ")", digest, actual);
    }
    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    fsyncDir(dir);
  }

  static Digest sha256(Path file) throws IOException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        md.update(buf, 0, n);
      }
    }
    return new Digest(Bytes.copyOf(md.digest()));
  }

  private static long first(String contentRange) throws IOException {
    try {
      String s = contentRange.substring("bytes ".length());
      return Long.parseLong(s.substring(0, s.indexOf('-')));
    } catch (RuntimeException e) {
      throw new IOException("node sent a malformed Content-Range: '" + contentRange + "'");
    }
  }

  private static long total(String contentRange) throws IOException {
    try {
      return Long.parseLong(contentRange.substring(contentRange.indexOf('/') + 1));
    } catch (RuntimeException e) {
      throw new IOException("node sent a malformed Content-Range: '" + contentRange + "'");
    }
  }

  private static void fsyncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not every file system can fsync a directory; the file itself is durable.
    }
  }
}

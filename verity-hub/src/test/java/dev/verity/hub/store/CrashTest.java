package dev.verity.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Digest;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kills a real writer process with SIGKILL mid-write and checks what the store shows after. */
class CrashTest {
  private static final int SIZE = 3_000_000;

  @TempDir Path root;

  @Test
  void put_writerKilledMidway_noBlobVisible_tempCleanedLater() throws Exception {
    byte[] data = content();
    Digest d = Digest.of(data);
    String stalledAt = runAndKill("put", d);
    assertThat(stalledAt).isEqualTo("stalled at " + SIZE / 2);

    BlobStore store = new BlobStore(root, StoreLimits.defaults());
    assertThat(store.has(d)).isFalse();
    assertThat(listing("blobs/sha256")).allMatch(n -> n.startsWith(".put-") && n.endsWith(".tmp"));
    assertThat(store.cleanupStaleUploads(Duration.ZERO)).isEqualTo(1);
    assertThat(listing("blobs/sha256")).isEmpty();
    assertThat(store.put(new ByteArrayInputStream(data), d, SIZE)).isTrue();
  }

  @Test
  void upload_writerKilledMidway_resumesFromDurableOffset() throws Exception {
    byte[] data = content();
    Digest d = Digest.of(data);
    runAndKill("upload", d);

    BlobStore store = new BlobStore(root, StoreLimits.defaults());
    assertThat(store.has(d)).isFalse();
    UploadSession s = store.existingUpload(d).orElseThrow();
    long offset = s.offset();
    assertThat(offset).isEqualTo(SIZE / 2);
    s.append(new ByteArrayInputStream(data, (int) offset, SIZE - (int) offset), offset);
    try (InputStream in = store.open(d)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  private String runAndKill(String mode, Digest d) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashChild.class.getName(),
                mode,
                root.toString(),
                d.toString(),
                Integer.toString(SIZE))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      String line = r.readLine();
      // SIGKILL: no finally block or shutdown hook runs in the child.
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      return line;
    } finally {
      p.destroyForcibly();
    }
  }

  private static byte[] content() {
    byte[] b = new byte[SIZE];
    for (int i = 0; i < SIZE; i++) {
      b[i] = CrashChild.content(i);
    }
    return b;
  }

  private List<String> listing(String dir) throws Exception {
    try (Stream<Path> s = Files.list(root.resolve(dir))) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }
}

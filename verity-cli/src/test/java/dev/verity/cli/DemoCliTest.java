package dev.verity.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCliTest {
  @Test
  void demo_publishesDownloadsVerifies_andExitsZero(@TempDir Path home) {
    String old = System.getProperty("verity.home");
    System.setProperty("verity.home", home.toString());
    try {
      Cli.Result r = Cli.run("demo");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out())
          .containsPattern("mnist@7 manifest digest: sha256:[0-9a-f]{64}")
          .containsPattern("tinystories-260k@1 manifest digest: sha256:[0-9a-f]{64}")
          .contains("stories260K.bin     1056540 bytes")
          .contains("verified tinystories-260k@1")
          .contains("downloaded tinystories-260k@1 and verified it offline: OK")
          .contains("Once upon a time, there was a little girl named Lily.")
          .contains("receipt verified: signature, inclusion proof, signed checkpoint")
          .containsPattern("strict +predicted 7 +\\(bitwise\\)")
          .containsPattern("ort +predicted 7 +\\(tolerance\\)")
          .contains("strict re-execution reproduced output digest and trace root: OK")
          .contains("node stopped");
      assertThat(home.resolve("demo/publisher.key")).exists();
      // A second run reuses the key.
      Cli.Result again = Cli.run("demo");
      assertThat(again.exit()).as(again.err()).isZero();
      assertThat(again.out()).doesNotContain("created demo publisher key");
    } finally {
      if (old == null) {
        System.clearProperty("verity.home");
      } else {
        System.setProperty("verity.home", old);
      }
    }
  }

  @Test
  void demo_sharedDirWithoutModels_isClearError(@TempDir Path empty) {
    String old = System.getProperty("verity.shared");
    System.setProperty("verity.shared", empty.toString());
    try {
      Cli.Result r = Cli.run("demo");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err())
          .isEqualTo(
              "error: system property verity.shared points to "
                  + empty
                  + ", which has no models/ directory\n");
    } finally {
      System.setProperty("verity.shared", old);
    }
  }
}

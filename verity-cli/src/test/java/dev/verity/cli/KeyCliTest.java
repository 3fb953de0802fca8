package dev.verity.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.key.KeyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyCliTest {
  @TempDir Path dir;

  static String seedOf(Path keyFile) throws Exception {
    return Files.readString(keyFile).replaceAll(".*\"seed\":\"([^\"]+)\".*\\s*", "$1");
  }

  @Test
  void generate_writes0600_andPrintsOnlyPublicKey() throws Exception {
    Path key = dir.resolve("keys/my.key");
    Cli.Result r = Cli.run("key", "generate", "--out", key.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    String pub = KeyFiles.readPrivate(key).verifyingKey().toText();
    assertThat(r.out()).contains("public key: " + pub).contains("key id:     ed25519:");
    String seed = seedOf(key);
    assertThat(seed).hasSize(44);
    assertThat(r.all()).doesNotContain(seed);
    assertThat(Files.readString(dir.resolve("keys/my.key.pub")).strip()).isEqualTo(pub);

    Cli.Result show = Cli.run("key", "show", "--key", key.toString());
    assertThat(show.exit()).isZero();
    assertThat(show.out()).contains("public key: " + pub);
    assertThat(show.all()).doesNotContain(seed);
  }

  @Test
  void generate_defaultLocation_underVerityHome() throws Exception {
    String old = System.getProperty("verity.home");
    System.setProperty("verity.home", dir.resolve("home").toString());
    try {
      Cli.Result r = Cli.run("key", "generate");
      assertThat(r.exit()).as(r.err()).isZero();
      Path key = dir.resolve("home/keys/publisher.key");
      assertThat(key).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())))
          .isEqualTo("rwx------");
      assertThat(Cli.run("key", "show").out())
          .contains(KeyFiles.readPrivate(key).verifyingKey().toText());
    } finally {
      if (old == null) {
        System.clearProperty("verity.home");
      } else {
        System.setProperty("verity.home", old);
      }
    }
  }

  @Test
  void generate_refusesToOverwrite() throws Exception {
    Path key = dir.resolve("k.key");
    assertThat(Cli.run("key", "generate", "--out", key.toString()).exit()).isZero();
    String before = Files.readString(key);
    Cli.Result again = Cli.run("key", "generate", "--out", key.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err())
        .isEqualTo(
            "error: key file "
                + key.toAbsolutePath()
                + " already exists; refusing to overwrite it (choose --out FILE)\n");
    assertThat(Files.readString(key)).isEqualTo(before);
  }

  @Test
  void show_keyReadableByOthers_isRefused() throws Exception {
    Path key = dir.resolve("k.key");
    assertThat(Cli.run("key", "generate", "--out", key.toString()).exit()).isZero();
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Result r = Cli.run("key", "show", "--key", key.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("is accessible by group or others").contains("chmod 600");
    assertThat(r.all()).doesNotContain(seedOf(key));
  }

  @Test
  void show_missingKey_suggestsGenerate() {
    Path key = dir.resolve("none.key");
    Cli.Result r = Cli.run("key", "show", "--key", key.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: no key file at " + key.toAbsolutePath() + "\n");
  }
}

package dev.verity.core.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.FormatException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
  @TempDir Path dir;

  @Test
  void writePrivate_mode0600_readsBackSameKey() throws Exception {
    SigningKey key = SigningKey.generate();
    Path f = dir.resolve("publisher.key");
    KeyFiles.writePrivate(f, key);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
    SigningKey back = KeyFiles.readPrivate(f);
    assertThat(back.verifyingKey()).isEqualTo(key.verifyingKey());
    // No temp file is left next to the key.
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(f);
    }
  }

  @Test
  void writePrivate_fileFormat_isDocumentedJson() throws Exception {
    SigningKey key = SigningKey.fromSeed(SigningKeyTest.RFC_SEED);
    Path f = dir.resolve("k");
    KeyFiles.writePrivate(f, key);
    assertThat(Files.readString(f))
        .isEqualTo(
            "{\"publicKey\":\"ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\","
                + "\"seed\":\"nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\","
                + "\"type\":\"verity-ed25519-private-key-v1\"}\n");
  }

  @Test
  void writePrivate_existingFile_refusedAndUntouched() throws Exception {
    Path f = dir.resolve("k");
    Files.writeString(f, "precious");
    assertThatThrownBy(() -> KeyFiles.writePrivate(f, SigningKey.generate()))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(f)).isEqualTo("precious");
  }

  @Test
  void readPrivate_groupReadable_refusedNamingChmod() throws Exception {
    Path f = dir.resolve("k");
    KeyFiles.writePrivate(f, SigningKey.generate());
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> KeyFiles.readPrivate(f))
        .isInstanceOf(InsecureKeyFileException.class)
        .hasMessageContaining("chmod 600 " + f)
        .hasMessageContaining("rw-r-----");
  }

  @Test
  void readPrivate_publicKeyNotMatchingSeed_rejected() throws Exception {
    Path f = dir.resolve("k");
    String other = SigningKey.generate().verifyingKey().toText();
    Files.writeString(
        f,
        "{\"publicKey\":\""
            + other
            + "\",\"seed\":\"nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\","
            + "\"type\":\"verity-ed25519-private-key-v1\"}\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> KeyFiles.readPrivate(f))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("does not match its seed");
  }

  @Test
  void readPrivate_notJson_rejected() throws Exception {
    Path f = dir.resolve("k");
    Files.writeString(f, "-----BEGIN PRIVATE KEY-----\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> KeyFiles.readPrivate(f))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void publicKeyFile_roundTrips() throws Exception {
    VerifyingKey key = SigningKey.generate().verifyingKey();
    Path f = dir.resolve("k.pub");
    KeyFiles.writePublic(f, key);
    assertThat(Files.readString(f)).isEqualTo(key.toText() + "\n");
    assertThat(KeyFiles.readPublic(f)).isEqualTo(key);
  }
}

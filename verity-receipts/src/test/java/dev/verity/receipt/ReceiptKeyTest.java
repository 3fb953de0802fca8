package dev.verity.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptKeyTest {
  @TempDir Path dir;

  @Test
  void saveAndLoad_roundTrips_withMode0600() throws Exception {
    ReceiptKey k = ReceiptKey.generate(new SecureRandom());
    Path f = dir.resolve("receipt.key");
    k.save(f);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
    assertThat(ReceiptKey.load(f).address()).isEqualTo(k.address());
  }

  @Test
  void load_groupReadableFile_rejected() throws Exception {
    Path f = dir.resolve("receipt.key");
    ReceiptFixtures.goldenKey().save(f);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> ReceiptKey.load(f))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("chmod 600");
  }

  @Test
  void load_garbage_rejected() throws Exception {
    Path f = dir.resolve("receipt.key");
    Files.writeString(f, "not a key");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> ReceiptKey.load(f)).hasMessageContaining("64 hex digits");
  }

  @Test
  void toString_neverShowsSecret() throws Exception {
    ReceiptKey k = ReceiptFixtures.goldenKey();
    Path f = dir.resolve("k");
    k.save(f);
    String secretHex = Files.readString(f).strip();
    assertThat(HexFormat.of().parseHex(secretHex)).hasSize(32);
    assertThat(k.toString())
        .doesNotContain(secretHex)
        .contains("redacted")
        .contains(k.address().toString());
  }

  @Test
  void fromPrivateKey_zeroOrOrder_rejected() {
    assertThatThrownBy(() -> ReceiptKey.fromPrivateKey(new byte[32]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                ReceiptKey.fromPrivateKey(
                    HexFormat.of()
                        .parseHex(
                            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

package dev.verity.settlement.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.anvil.AnvilProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvmKeyTest {

  @Test
  void fromMnemonic_derivesTheWellKnownDevAccounts() {
    // Account 0 and 1 of "test test ... junk" on m/44'/60'/0'/0/i, as every EVM dev tool derives
    // them.
    assertThat(EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, 0).address())
        .isEqualTo(EthAddress.parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
    assertThat(EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, 1).address())
        .isEqualTo(EthAddress.parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));
  }

  @Test
  void saveLoad_roundTrips_withOwnerOnlyMode(@TempDir Path dir) throws IOException {
    EvmKey k = TestChain.key(2);
    Path f = dir.resolve("k");
    k.save(f);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
    assertThat(EvmKey.load(f).address()).isEqualTo(k.address());
  }

  @Test
  void load_groupReadable_orMalformed_isRefused(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("k");
    TestChain.key(2).save(f);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> EvmKey.load(f))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(f.toString());
    Path bad = dir.resolve("bad");
    Files.writeString(bad, "not a key\n");
    Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> EvmKey.load(bad))
        .hasMessage("key file " + bad + " must hold 64 hex digits");
    assertThatThrownBy(() -> EvmKey.fromPrivateKey(new byte[32]))
        .hasMessageContaining("not a valid secp256k1 private key");
  }

  @Test
  void toString_showsAddressOnly() throws Exception {
    EvmKey k = TestChain.key(3);
    String secret = String.format("%064x", k.credentials().getEcKeyPair().getPrivateKey());
    assertThat(k.toString()).contains(k.address().toString()).doesNotContain(secret);
  }
}

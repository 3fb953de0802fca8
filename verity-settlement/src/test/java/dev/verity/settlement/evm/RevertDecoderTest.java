package dev.verity.settlement.evm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.settlement.SettlementException;
import org.junit.jupiter.api.Test;

class RevertDecoderTest {

  @Test
  void errorString_isDecoded() {
    // Error("stake too low")
    String data =
        "0x08c379a0"
            + "0000000000000000000000000000000000000000000000000000000000000020"
            + "000000000000000000000000000000000000000000000000000000000000000d"
            + "7374616b6520746f6f206c6f7700000000000000000000000000000000000000";
    SettlementException e =
        RevertDecoder.exception("NodeRegistry", "\"" + data + "\"", "execution reverted");
    assertThat(e).hasMessage("NodeRegistry: stake too low");
    assertThat(e.errorName()).contains("Error");
  }

  @Test
  void panic_isExplained() {
    String data = "0x4e487b71" + "0".repeat(62) + "11";
    assertThat(RevertDecoder.exception("Escrow", data, null))
        .hasMessage("Escrow: panic 0x11 (arithmetic overflow or underflow)");
  }

  @Test
  void customError_withArguments_isDecodedByName() {
    // ZeroAmount() of NodeRegistry: keccak256("ZeroAmount()")[0:4] = 0x1f2a2005
    SettlementException e = RevertDecoder.exception("NodeRegistry", "0x1f2a2005", null);
    assertThat(e).hasMessage("NodeRegistry: ZeroAmount()");
    assertThat(e.errorName()).contains("ZeroAmount");
  }

  @Test
  void unknownSelector_andEmptyData_sayWhat() {
    assertThat(RevertDecoder.exception("Escrow", "0xdeadbeef", null))
        .hasMessage("Escrow: reverted with unknown error 0xdeadbeef");
    assertThat(RevertDecoder.exception("Escrow", "0x", "execution reverted"))
        .hasMessage("Escrow: execution reverted");
    assertThat(RevertDecoder.exception("Escrow", null, null))
        .hasMessage("Escrow: reverted without a reason");
  }

  @Test
  void truncatedArguments_areReportedNotThrown() {
    // UnknownNode(address) with no argument bytes.
    String selector = org.web3j.crypto.Hash.sha3String("UnknownNode(address)").substring(0, 10);
    assertThat(RevertDecoder.exception("NodeRegistry", selector + "00", null).getMessage())
        .startsWith("NodeRegistry: ");
  }
}

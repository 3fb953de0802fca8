package dev.verity.settlement.anvil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AnvilProcessTest {

  @Test
  void start_answersChainIdOnLoopback_andCloseLeavesNoProcess() throws Exception {
    AnvilProcess anvil = AnvilProcess.start();
    long pid = anvil.pid();
    try {
      assertThat(anvil.rpcUrl()).startsWith("http://127.0.0.1:");
      assertThat(anvil.rpc("eth_chainId", "[]")).contains("\"0x7a69\"");
      String before = anvil.rpc("eth_getBlockByNumber", "[\"latest\", false]");
      anvil.increaseTime(Duration.ofHours(1));
      String after = anvil.rpc("eth_getBlockByNumber", "[\"latest\", false]");
      assertThat(timestamp(after) - timestamp(before)).isGreaterThanOrEqualTo(3600);
    } finally {
      anvil.close();
    }
    assertThat(anvil.isAlive()).isFalse();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThatThrownBy(
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", anvil.port()), 500);
              }
            })
        .isInstanceOf(IOException.class);
  }

  @Test
  void start_missingBinary_namesThePath() {
    assertThatThrownBy(() -> AnvilProcess.start(Path.of("/nonexistent/anvil"), "cancun"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/nonexistent/anvil");
  }

  @Test
  void rpc_unknownMethod_throwsWithTheError() throws Exception {
    try (AnvilProcess anvil = AnvilProcess.start()) {
      assertThatThrownBy(() -> anvil.rpc("no_such_method", "[]"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("no_such_method");
    }
  }

  private static long timestamp(String blockJson) {
    int i = blockJson.indexOf("\"timestamp\":\"0x") + 15;
    return Long.parseLong(blockJson.substring(i, blockJson.indexOf('"', i)), 16);
  }
}

package dev.verity.settlement.evm;

import static dev.verity.settlement.evm.TestChain.ETH;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Several clients sending from one account at once (two nodes of one operator, or a node's network
 * and dispute loops): a client that loses the race for the pending nonce reads it again and
 * resends, so every transaction lands.
 */
class SharedAccountTest {
  @Test
  void concurrentSendersOfOneAccount_everyTransactionLands() throws Exception {
    try (TestChain chain = TestChain.start()) {
      int clients = 4;
      int each = 5;
      BigInteger wei = ETH.divide(BigInteger.valueOf(1000));
      List<EvmSettlement> senders = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        senders.add(chain.as(3));
      }
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      try {
        List<Future<Integer>> done = new ArrayList<>();
        for (EvmSettlement s : senders) {
          done.add(
              pool.submit(
                  () -> {
                    for (int k = 0; k < each; k++) {
                      s.deposit(wei);
                    }
                    return each;
                  }));
        }
        for (Future<Integer> f : done) {
          assertThat(f.get()).isEqualTo(each);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(senders.getFirst().escrowBalance(TestChain.key(3).address()))
          .isEqualTo(wei.multiply(BigInteger.valueOf((long) clients * each)));
    }
  }

  @Test
  void nonceRaceMessages_areRecognised_othersAreNot() {
    assertThat(EvmChain.nonceTaken(error("nonce too low"))).isTrue();
    assertThat(EvmChain.nonceTaken(error("Nonce too low. Expected nonce to be 5 but got 4.")))
        .isTrue();
    assertThat(EvmChain.nonceTaken(error("already known"))).isTrue();
    assertThat(EvmChain.nonceTaken(error("transaction already imported"))).isTrue();
    assertThat(EvmChain.nonceTaken(error("insufficient funds for gas * price + value"))).isFalse();
    assertThat(EvmChain.nonceTaken(error("execution reverted"))).isFalse();
  }

  static org.web3j.protocol.core.Response.Error error(String m) {
    return new org.web3j.protocol.core.Response.Error(-32003, m);
  }
}

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
  void pendingTransactionReplacedBySameNonce_isResent_insteadOfAwaitedUntilTheTimeout()
      throws Exception {
    try (TestChain chain = TestChain.start()) {
      EvmSettlement client = chain.as(4); // waits up to 2 minutes for a receipt
      EvmKey key = TestChain.key(4);
      String from = key.address().toString();
      BigInteger wei = ETH.divide(BigInteger.valueOf(1000));
      chain.anvil.rpc("evm_setAutomine", "[false]");
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<?> deposit = pool.submit(() -> client.deposit(wei));
        // The deposit is in the pool once the pending nonce moves past the mined one.
        long until = System.nanoTime() + 20_000_000_000L;
        while (nonce(chain, from, "pending") == 0) {
          assertThat(System.nanoTime()).as("deposit never reached the pool").isLessThan(until);
          Thread.sleep(20);
        }
        // Another sender of the account (a second node of the operator) sends a transaction of
        // the same nonce at a higher gas price: it replaces the deposit in the pool and is mined.
        org.web3j.crypto.RawTransaction other =
            org.web3j.crypto.RawTransaction.createEtherTransaction(
                BigInteger.ZERO,
                BigInteger.valueOf(1_000_000_000_000L),
                BigInteger.valueOf(21_000),
                from,
                BigInteger.ONE);
        String signed =
            org.web3j.utils.Numeric.toHexString(
                org.web3j.crypto.TransactionEncoder.signMessage(
                    other, dev.verity.settlement.anvil.AnvilProcess.CHAIN_ID, key.credentials()));
        String sent = chain.anvil.rpc("eth_sendRawTransaction", "[\"" + signed + "\"]");
        assertThat(sent).as("replacement accepted").doesNotContain("error");
        chain.anvil.rpc("evm_mine", "[]");
        chain.anvil.rpc("evm_setAutomine", "[true]");
        // The client sees its nonce used by another transaction and resends at once.
        deposit.get(30, java.util.concurrent.TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }
      assertThat(client.escrowBalance(key.address())).isEqualTo(wei);
      assertThat(nonce(chain, from, "latest")).isEqualTo(2);
    }
  }

  private static long nonce(TestChain chain, String from, String tag) throws Exception {
    String r = chain.anvil.rpc("eth_getTransactionCount", "[\"" + from + "\", \"" + tag + "\"]");
    int i = r.indexOf("\"result\":\"0x") + 12;
    return Long.parseLong(r.substring(i, r.indexOf('"', i)), 16);
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

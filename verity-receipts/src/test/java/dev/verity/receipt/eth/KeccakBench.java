package dev.verity.receipt.eth;

import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.VerificationPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Not a test: single-threaded cost of Keccak-256 and of {@link Receipt#signingDigest}, ours against
 * BouncyCastle's {@code KeccakDigest} (the receipt digest as it was computed with it, copies
 * included) in the same run. Usage: {@code KeccakBench [seconds per round]}. Rounds are interleaved
 * and the best round of each is printed, as the machine is shared. From verity-receipts: {@code mvn
 * -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt}, then {@code java -cp
 * target/test-classes:target/classes:$(cat target/cp.txt) dev.verity.receipt.eth.KeccakBench}.
 */
public final class KeccakBench {
  // 64 full blocks: the padding adds a 65th permutation.
  private static final byte[] LONG_INPUT = new byte[64 * Keccak.RATE];
  private static final int LONG_PERMUTATIONS = 65;
  private static volatile long sink;

  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.5;
    Receipt receipt = sampleReceipt();
    ReceiptDomain domain = ReceiptDomain.DEVNET;
    if (!BouncyCastleEip712.signingDigest(receipt, domain).equals(receipt.signingDigest(domain))) {
      throw new AssertionError("the two signing digests differ");
    }
    String[] names = {
      "Receipt.signingDigest, BouncyCastle (as before)",
      "Receipt.signingDigest, ours",
      "per permutation, BouncyCastle (8704-byte input / 65)",
      "per permutation, ours (8704-byte input / 65)",
      "Keccak.permute alone",
      "keccak256 of 32 bytes, BouncyCastle",
      "keccak256 of 32 bytes, ours",
    };
    long[] state = new long[25];
    byte[] word = new byte[32];
    Op[] ops = {
      () -> BouncyCastleEip712.signingDigest(receipt, domain).get(0),
      () -> receipt.signingDigest(domain).get(0),
      () -> BouncyCastleEip712.keccak256(LONG_INPUT)[0],
      () -> Keccak.keccak256(LONG_INPUT)[0],
      () -> {
        Keccak.permute(state);
        return state[0];
      },
      () -> BouncyCastleEip712.keccak256(word)[0],
      () -> Keccak.keccak256(word)[0],
    };
    int[] divisor = {1, 1, LONG_PERMUTATIONS, LONG_PERMUTATIONS, 1, 1, 1};
    double[] best = new double[ops.length];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    for (int round = 0; round < 7; round++) {
      for (int i = 0; i < ops.length; i++) {
        // Round 0 is warm-up.
        double ns = time(ops[i], seconds) / divisor[i];
        if (round > 0) {
          best[i] = Math.min(best[i], ns);
        }
      }
    }
    for (int i = 0; i < ops.length; i++) {
      System.out.printf(Locale.ROOT, "%-55s %8.3f µs%n", names[i], best[i] / 1000);
    }
    System.out.printf(
        Locale.ROOT,
        "signingDigest: ours / BouncyCastle = %.2f; per permutation: %.2f%n",
        best[1] / best[0],
        best[3] / best[2]);
  }

  interface Op {
    long run();
  }

  // Nanoseconds per call of op, over about `seconds`.
  private static double time(Op op, double seconds) {
    long budget = (long) (seconds * 1e9);
    long calls = 0;
    long acc = 0;
    long t0 = System.nanoTime();
    long elapsed;
    do {
      for (int i = 0; i < 1000; i++) {
        acc += op.run();
      }
      calls += 1000;
      elapsed = System.nanoTime() - t0;
    } while (elapsed < budget);
    sink += acc;
    return (double) elapsed / calls;
  }

  static Receipt sampleReceipt() {
    return Receipt.builder()
        .model(Digest.of("model".getBytes(StandardCharsets.UTF_8)))
        .engine(
            "strict-cpu",
            "0.1.0",
            Digest.of("config".getBytes(StandardCharsets.UTF_8)),
            NumericMode.BITWISE)
        .input(Digest.of("input".getBytes(StandardCharsets.UTF_8)))
        .output(Digest.of("output".getBytes(StandardCharsets.UTF_8)))
        .trace(Digest.of("trace".getBytes(StandardCharsets.UTF_8)), 12)
        .node(EthAddress.parse("0x52908400098527886e0f7030069857d2e4169ee7"))
        .requestId("req-0123456789abcdef")
        .timeMillis(1_764_000_000_000L)
        .policy(VerificationPolicy.NONE)
        .seed(0)
        .build();
  }
}

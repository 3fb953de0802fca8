package dev.verity.settlement.evm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.anvil.AnvilProcess;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint32;

/**
 * The Solidity binary32 prototype (contracts/Float32.sol) against Java's float arithmetic, bit for
 * bit, over special values and random bit patterns; prints gas per operation.
 */
class Float32Test {
  static AnvilProcess anvil;
  static EvmChain chain;
  static ContractArtifact harness;
  static EthAddress address;

  @BeforeAll
  static void start() throws Exception {
    anvil = AnvilProcess.start();
    chain = EvmChain.connect(anvil.rpcUrl(), TestChain.key(0), java.time.Duration.ofSeconds(30));
    harness = ContractArtifact.load("Float32Harness");
    address = chain.deployedAddress(chain.deploy(harness));
  }

  @AfterAll
  static void stop() {
    chain.close();
    anvil.close();
  }

  static final int[] SPECIAL = {
    0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x00800000, 0x00800001,
    0x3f800000, 0xbf800000, 0x3f800001, 0x3fffffff, 0x7f7fffff, 0xff7fffff, 0x7f800000,
    0xff800000, 0x7fc00000, 0x7f800001, 0xffc00001, 0x34000000, 0x33800000, 0x4b800000,
    0x4b7fffff, 0x3effffff, 0x0b800000, 0x1f800000
  };

  static int canonical(float f) {
    return Float.isNaN(f) ? 0x7fc00000 : Float.floatToRawIntBits(f);
  }

  int onChain(String fn, int a, int b) throws Exception {
    List<Type> out =
        chain.call(
            harness,
            address,
            fn,
            new Uint32(Integer.toUnsignedLong(a)),
            new Uint32(Integer.toUnsignedLong(b)));
    return ((BigInteger) out.getFirst().getValue()).intValue();
  }

  void check(String fn, BinaryOperator<Float> op) throws Exception {
    List<int[]> cases = new ArrayList<>();
    for (int a : SPECIAL) {
      for (int b : SPECIAL) {
        cases.add(new int[] {a, b});
      }
    }
    Random r = new Random(fn.hashCode());
    for (int i = 0; i < 400; i++) {
      int a = r.nextInt();
      // Nearby exponents exercise cancellation and rounding more than independent patterns.
      int b =
          i % 2 == 0
              ? r.nextInt()
              : (a & 0xff800000) ^ (r.nextInt() & 0x80ffffff) + ((r.nextInt(5) - 2) << 23);
      cases.add(new int[] {a, b});
    }
    for (int[] c : cases) {
      float x = Float.intBitsToFloat(c[0]);
      float y = Float.intBitsToFloat(c[1]);
      int want = canonical(op.apply(x, y));
      assertThat(onChain(fn, c[0], c[1]))
          .as("%s(%08x, %08x) = %08x", fn, c[0], c[1], want)
          .isEqualTo(want);
    }
  }

  @Test
  void mul_matchesJavaFloatBitForBit() throws Exception {
    check("mul", (a, b) -> a * b);
  }

  @Test
  void add_matchesJavaFloatBitForBit() throws Exception {
    check("add", (a, b) -> a + b);
  }

  @Test
  void max_matchesJavaMathMax() throws Exception {
    check("max", Math::max);
  }

  long gas(String fn, Type<?>... args) throws Exception {
    String data = FunctionEncoder.encode(harness.function(fn).selector(), List.of(args));
    String res =
        anvil.rpc("eth_estimateGas", "[{\"to\":\"" + address + "\",\"data\":\"" + data + "\"}]");
    int i = res.indexOf("\"result\":\"0x") + 12;
    return Long.parseLong(res.substring(i, res.indexOf('"', i)), 16);
  }

  @Test
  void gas_perOperation_printed_andBounded() throws Exception {
    Uint32 a = new Uint32(Integer.toUnsignedLong(Float.floatToRawIntBits(1.2345f)));
    Uint32 b = new Uint32(Integer.toUnsignedLong(Float.floatToRawIntBits(-0.678f)));
    long base = gas("noop", a, b);
    long mul = gas("mul", a, b) - base;
    long add = gas("add", a, b) - base;
    long max = gas("max", a, b) - base;
    List<Uint32> xs = new ArrayList<>();
    List<Uint32> ys = new ArrayList<>();
    Random r = new Random(1);
    for (int i = 0; i < 256; i++) {
      xs.add(new Uint32(Integer.toUnsignedLong(Float.floatToRawIntBits(r.nextFloat() - 0.5f))));
      ys.add(new Uint32(Integer.toUnsignedLong(Float.floatToRawIntBits(r.nextFloat() - 0.5f))));
    }
    long dot256 =
        gas("dot", new DynamicArray<>(Uint32.class, xs), new DynamicArray<>(Uint32.class, ys));
    System.out.printf(
        "Float32 gas: mul %d, add %d, max %d (over a no-op call); dot product of 256 = %d total,"
            + " %.0f per multiply-add incl. calldata%n",
        mul, add, max, dot256, dot256 / 256.0);
    assertThat(mul).isBetween(100L, 5_000L);
    assertThat(add).isBetween(100L, 5_000L);
    assertThat(max).isBetween(10L, 2_000L);
  }
}

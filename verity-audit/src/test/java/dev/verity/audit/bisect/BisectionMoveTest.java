package dev.verity.audit.bisect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class BisectionMoveTest {
  static final Digest A = new Digest(Bytes.fromHex("aa".repeat(32)));
  static final Digest B = new Digest(Bytes.fromHex("bb".repeat(32)));
  static final String GOLDEN =
      "56424d5601"
          + "00000003"
          + "0000000000000008"
          + "0000000000000005"
          + "aa".repeat(32)
          + "bb".repeat(32);

  @Test
  void encode_matchesGoldenBytes() {
    assertThat(new BisectionMove(3, 8, 5, A, B).encode().toHex()).isEqualTo(GOLDEN);
    assertThat(BisectionMove.decode(Bytes.fromHex(GOLDEN)))
        .isEqualTo(new BisectionMove(3, 8, 5, A, B));
  }

  @Test
  void decode_badBytes_throwNamingTheProblem() {
    assertThatThrownBy(() -> BisectionMove.decode(Bytes.fromHex(GOLDEN.substring(2))))
        .hasMessageContaining("89 bytes");
    assertThatThrownBy(() -> BisectionMove.decode(Bytes.fromHex("00" + GOLDEN.substring(2))))
        .hasMessageContaining("magic");
    assertThatThrownBy(
            () ->
                BisectionMove.decode(
                    Bytes.fromHex(GOLDEN.substring(0, 8) + "02" + GOLDEN.substring(10))))
        .hasMessageContaining("version 2");
    assertThatThrownBy(
            () ->
                BisectionMove.decode(
                    Bytes.fromHex(
                        GOLDEN.substring(0, 34) + "0000000000000001" + GOLDEN.substring(50))))
        .hasMessageContaining("at least 2 leaves");
  }

  @Property(tries = 200)
  void roundTrip(
      @ForAll @IntRange(min = 0, max = 100) int round,
      @ForAll @LongRange(min = 0, max = 1L << 40) long start,
      @ForAll @LongRange(min = 2, max = 1L << 40) long size) {
    BisectionMove m = new BisectionMove(round, start, size, A, B);
    assertThat(BisectionMove.decode(m.encode())).isEqualTo(m);
  }

  @Test
  void split_isLargestPowerOfTwoBelow() {
    assertThat(Bisection.split(2)).isEqualTo(1);
    assertThat(Bisection.split(5)).isEqualTo(4);
    assertThat(Bisection.split(8)).isEqualTo(4);
    assertThat(Bisection.split(9)).isEqualTo(8);
  }
}

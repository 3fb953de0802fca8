package dev.verity.node.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopScannerTest {
  @Test
  void stopSplitAcrossDeltas_isNeverSent_andTextEndsBeforeIt() {
    StopScanner s = new StopScanner(List.of("END"));
    StringBuilder sent = new StringBuilder();
    for (String d : List.of("abc E", "N", "D tail")) {
      sent.append(s.push(d));
    }
    assertThat(s.stopped()).isTrue();
    assertThat(sent.toString()).isEqualTo("abc ");
    assertThat(s.text()).isEqualTo("abc ");
  }

  @Test
  void falseStart_isReleasedLater() {
    StopScanner s = new StopScanner(List.of("END"));
    StringBuilder sent = new StringBuilder();
    for (String d : List.of("E", "N", "x", "yz")) {
      sent.append(s.push(d));
    }
    sent.append(s.flush());
    assertThat(s.stopped()).isFalse();
    assertThat(sent.toString()).isEqualTo("ENxyz");
  }

  @Test
  void earliestOfSeveralStops_wins() {
    StopScanner s = new StopScanner(List.of("zz", "b"));
    assertThat(s.push("a")).isEmpty();
    s.push("bzz");
    assertThat(s.text()).isEqualTo("a");
  }

  @Test
  void surrogatePair_isNotSplitAcrossEvents() {
    StopScanner s = new StopScanner(List.of("XY"));
    String out = s.push("a\uD83D\uDE00");
    assertThat(out).isEqualTo("a");
    assertThat(s.flush()).isEqualTo("\uD83D\uDE00");
  }
}

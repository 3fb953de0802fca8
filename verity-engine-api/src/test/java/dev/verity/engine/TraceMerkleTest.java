package dev.verity.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TraceMerkleTest {
  private static List<Digest> leaves(int n) {
    List<Digest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(TraceMerkle.leafHash(new byte[] {(byte) i}));
    }
    return out;
  }

  @Test
  void everyIndexAndSizeUpTo40_pathsVerify_andWrongIndexFails() throws Exception {
    for (int n = 1; n <= 40; n++) {
      List<Digest> l = leaves(n);
      Digest root = TraceMerkle.root(l);
      for (int m = 0; m < n; m++) {
        List<Digest> p = TraceMerkle.inclusionPath(l, m);
        assertThat(TraceMerkle.rootFromPath(m, n, l.get(m), p)).isEqualTo(root);
        if (n > 1) {
          int other = (m + 1) % n;
          try {
            assertThat(TraceMerkle.rootFromPath(other, n, l.get(m), p)).isNotEqualTo(root);
          } catch (TraceVerificationException e) {
            assertThat(e).hasMessageContaining("proof");
          }
        }
      }
    }
  }

  @Property(tries = 200)
  void tamperedPathElement_changesRoot(
      @ForAll @IntRange(min = 2, max = 70) int n, @ForAll @IntRange(min = 0, max = 69) int m0)
      throws Exception {
    int m = m0 % n;
    List<Digest> l = leaves(n);
    List<Digest> p = new ArrayList<>(TraceMerkle.inclusionPath(l, m));
    p.set(0, TraceMerkle.leafHash(new byte[] {99}));
    assertThat(TraceMerkle.rootFromPath(m, n, l.get(m), p)).isNotEqualTo(TraceMerkle.root(l));
  }

  @Test
  void rootOfTwoLeaves_isRfc9162NodeHash() {
    List<Digest> l = leaves(2);
    assertThat(TraceMerkle.root(l)).isEqualTo(TraceMerkle.nodeHash(l.get(0), l.get(1)));
    assertThat(TraceMerkle.root(List.of()).hex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void pathOfWrongLength_throws() {
    List<Digest> l = leaves(5);
    List<Digest> p = new ArrayList<>(TraceMerkle.inclusionPath(l, 2));
    p.remove(p.size() - 1);
    assertThatThrownBy(() -> TraceMerkle.rootFromPath(2, 5, l.get(2), p))
        .isInstanceOf(TraceVerificationException.class)
        .hasMessageContaining("shorter");
  }
}

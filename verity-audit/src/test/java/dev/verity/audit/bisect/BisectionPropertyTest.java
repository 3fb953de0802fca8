package dev.verity.audit.bisect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.TraceMerkle;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Bisection over synthetic leaf hashes: it always pins the first differing leaf. */
class BisectionPropertyTest {
  static List<Digest> leaves(int n, int salt) {
    List<Digest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(TraceMerkle.leafHash(("leaf " + i + " " + salt).getBytes()));
    }
    return out;
  }

  @Property(tries = 400)
  void bisection_pinsFirstDifference_overEverySmallShape(
      @ForAll @IntRange(min = 1, max = 70) int n,
      @ForAll @IntRange(min = 0, max = 69) int first,
      @ForAll @IntRange(min = 0, max = 69) int second)
      throws InvalidMoveException {
    int a = first % n;
    int b = second % n;
    List<Digest> p = leaves(n, 0);
    List<Digest> c = new ArrayList<>(p);
    c.set(a, TraceMerkle.leafHash(Bytes.utf8("lie a").toByteArray()));
    c.set(b, TraceMerkle.leafHash(Bytes.utf8("lie b").toByteArray()));
    TraceParty<Integer> pp = new TraceParty<>(p, i -> (int) i);
    TraceParty<Integer> cp = new TraceParty<>(c, i -> (int) i);
    Bisection bis = new Bisection(n, pp.root(), cp.root());
    while (!bis.done()) {
      bis.apply(
          pp.move(bis.round(), bis.start(), bis.size()).orElseThrow(),
          cp.move(bis.round(), bis.start(), bis.size()).orElseThrow());
    }
    assertThat(bis.disputedLeaf()).isEqualTo(Math.min(a, b));
    assertThat(bis.round()).isLessThanOrEqualTo(64 - Long.numberOfLeadingZeros(Math.max(1, n - 1)));
  }
}

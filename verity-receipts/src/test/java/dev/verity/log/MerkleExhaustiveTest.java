package dev.verity.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Every (index, size) and (m, n) pair up to {@value #MAX}, plus random tampering. */
class MerkleExhaustiveTest {
  static final int MAX = 300;
  static final List<byte[]> LEAVES = MerkleTestTrees.leafHashes(MAX);
  static final MerkleTree TREE = new MerkleTree(MerkleTestTrees.store(LEAVES));
  static final Bytes[] ROOTS = new Bytes[MAX + 1];

  static {
    ROOTS[0] = Rfc9162.EMPTY_ROOT;
    for (int n = 1; n <= MAX; n++) {
      ROOTS[n] = Bytes.copyOf(MerkleTestTrees.naiveRoot(LEAVES, 0, n));
    }
  }

  @Test
  void rootHash_everySize_matchesNaiveReference() {
    for (int n = 0; n <= MAX; n++) {
      assertThat(TREE.rootHash(n)).as("size %d", n).isEqualTo(ROOTS[n]);
    }
  }

  @Test
  void appendOnlyTree_whileGrowing_matchesThePlainTree() {
    MemoryHashStore growing = new MemoryHashStore();
    MerkleTree cached = MerkleTree.ofAppendOnly(growing);
    for (int n = 1; n <= MAX; n++) {
      growing.append(LEAVES.get(n - 1));
      for (int i = 0; i < n; i++) {
        assertThat(cached.inclusionProof(i, n))
            .as("leaf %d of %d", i, n)
            .isEqualTo(TREE.inclusionProof(i, n));
        // An older size asked in between replaces the remembered right edge.
        int older = 1 + (i * 7919) % n;
        assertThat(cached.inclusionProof(i % older, older))
            .as("leaf %d of %d", i % older, older)
            .isEqualTo(TREE.inclusionProof(i % older, older));
      }
      for (int m = 0; m <= n; m++) {
        assertThat(cached.consistencyProof(m, n)).isEqualTo(TREE.consistencyProof(m, n));
        assertThat(cached.rootHash(m)).isEqualTo(ROOTS[m]);
      }
      assertThat(cached.subtree(n / 3, n)).isEqualTo(MerkleTestTrees.naiveRoot(LEAVES, n / 3, n));
    }
  }

  @Property(generation = GenerationMode.EXHAUSTIVE, tries = 100_000, maxDiscardRatio = 10)
  void inclusionProof_everyIndexAndSize_verifies(
      @ForAll @IntRange(min = 1, max = MAX) int n, @ForAll @IntRange(min = 0, max = MAX - 1) int i)
      throws Exception {
    Assume.that(i < n);
    InclusionProof p = TREE.inclusionProof(i, n);
    assertThat(p.path()).hasSizeLessThanOrEqualTo(64 - Long.numberOfLeadingZeros(n - 1));
    p.verify(Bytes.copyOf(LEAVES.get(i)), ROOTS[n]);
  }

  @Property(generation = GenerationMode.EXHAUSTIVE, tries = 100_000, maxDiscardRatio = 10)
  void consistencyProof_everyPairOfSizes_verifies(
      @ForAll @IntRange(min = 0, max = MAX) int n, @ForAll @IntRange(min = 0, max = MAX) int m)
      throws Exception {
    Assume.that(m <= n);
    TREE.consistencyProof(m, n).verify(ROOTS[m], ROOTS[n]);
  }

  @Property(tries = 2000)
  void inclusionProof_wrongLeafOrIndex_throws(
      @ForAll @IntRange(min = 2, max = MAX) int n,
      @ForAll @IntRange(min = 0, max = MAX - 1) int i,
      @ForAll @IntRange(min = 0, max = MAX - 1) int other) {
    int index = i % n;
    int wrong = other % n;
    InclusionProof p = TREE.inclusionProof(index, n);
    if (wrong != index) {
      assertThatThrownBy(() -> p.verify(Bytes.copyOf(LEAVES.get(wrong)), ROOTS[n]))
          .isInstanceOf(InvalidProofException.class);
      assertThatThrownBy(
              () ->
                  new InclusionProof(wrong, n, p.path())
                      .verify(Bytes.copyOf(LEAVES.get(index)), ROOTS[n]))
          .isInstanceOf(InvalidProofException.class);
    }
  }

  @Property(tries = 2000)
  void proofs_singleBitFlip_throws(
      @ForAll @IntRange(min = 2, max = MAX) int n,
      @ForAll @IntRange(min = 1, max = MAX - 1) int mRaw,
      @ForAll @IntRange(min = 0, max = 10_000) int which,
      @ForAll @IntRange(min = 0, max = 255) int bit) {
    int m = 1 + mRaw % (n - 1);
    ConsistencyProof c = TREE.consistencyProof(m, n);
    ConsistencyProof cBad = new ConsistencyProof(m, n, flip(c.path(), which, bit));
    assertThatThrownBy(() -> cBad.verify(ROOTS[m], ROOTS[n]))
        .isInstanceOf(InvalidProofException.class);
    InclusionProof p = TREE.inclusionProof(m, n);
    InclusionProof pBad = new InclusionProof(m, n, flip(p.path(), which, bit));
    assertThatThrownBy(() -> pBad.verify(Bytes.copyOf(LEAVES.get(m)), ROOTS[n]))
        .isInstanceOf(InvalidProofException.class);
  }

  private static List<Bytes> flip(List<Bytes> path, int which, int bit) {
    List<Bytes> out = new ArrayList<>(path);
    int k = which % out.size();
    byte[] b = out.get(k).toByteArray();
    b[bit / 8] ^= (byte) (1 << (bit % 8));
    out.set(k, Bytes.copyOf(b));
    return out;
  }

  @Test
  void inclusionProof_indexOutsideTree_rejected() {
    assertThatThrownBy(() -> TREE.inclusionProof(5, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not inside");
    assertThatThrownBy(() -> new InclusionProof(5, 5, List.of()).verify(ROOTS[1], ROOTS[5]))
        .isInstanceOf(InvalidProofException.class);
  }
}

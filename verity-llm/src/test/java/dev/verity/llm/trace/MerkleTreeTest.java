package dev.verity.llm.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
  private static List<byte[]> leaves(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(MerkleTree.leafHash(new byte[] {(byte) i, (byte) (i >> 8)}).value().toByteArray());
    }
    return out;
  }

  /** RFC 9162 section 2.1.1 written out directly, independent of the implementation. */
  private static byte[] mth(List<byte[]> l) throws Exception {
    if (l.size() == 1) {
      return l.get(0);
    }
    int k = 1;
    while (k * 2 < l.size()) {
      k *= 2;
    }
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update((byte) 1);
    md.update(mth(l.subList(0, k)));
    md.update(mth(l.subList(k, l.size())));
    return md.digest();
  }

  @Test
  void emptyTree_isSha256OfNothing() {
    assertThat(MerkleTree.root(List.of()).toString())
        .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void everyIndexOfEverySmallTree_provesAgainstTheRfcRoot() throws Exception {
    for (int n = 1; n <= 40; n++) {
      List<byte[]> l = leaves(n);
      Digest root = MerkleTree.root(l);
      assertThat(root.value().toByteArray()).isEqualTo(mth(l));
      for (int i = 0; i < n; i++) {
        InclusionProof p = MerkleTree.proof(l, i);
        p.verify(root, new Digest(Bytes.copyOf(l.get(i))));
        // The same proof must not verify any other leaf.
        int other = (i + 1) % n;
        if (other != i) {
          Digest wrong = new Digest(Bytes.copyOf(l.get(other)));
          assertThatThrownBy(() -> p.verify(root, wrong))
              .isInstanceOf(TraceVerificationException.class);
        }
      }
    }
  }

  @Test
  void proof_withTamperedPath_throws() throws Exception {
    List<byte[]> l = leaves(13);
    Digest root = MerkleTree.root(l);
    InclusionProof p = MerkleTree.proof(l, 6);
    List<Digest> path = new ArrayList<>(p.path());
    byte[] h = path.get(1).value().toByteArray();
    h[0] ^= 1;
    path.set(1, new Digest(Bytes.copyOf(h)));
    Digest leaf = new Digest(Bytes.copyOf(l.get(6)));
    assertThatThrownBy(() -> new InclusionProof(6, 13, path).verify(root, leaf))
        .isInstanceOf(TraceVerificationException.class)
        .hasMessageContaining("does not lead to root");
    assertThatThrownBy(() -> new InclusionProof(6, 13, p.path().subList(0, 2)).verify(root, leaf))
        .hasMessageContaining("too few");
    List<Digest> longer = new ArrayList<>(p.path());
    longer.add(root);
    assertThatThrownBy(() -> new InclusionProof(6, 13, longer).verify(root, leaf))
        .hasMessageContaining("more hashes");
    assertThatThrownBy(() -> new InclusionProof(7, 13, p.path()).verify(root, leaf))
        .isInstanceOf(TraceVerificationException.class);
  }

  @Test
  void traceLeaf_goldenEncodingAndHash() {
    TraceLeaf leaf = TraceLeaf.of(0, 0, 1, new float[] {1.0f, -2.0f});
    assertThat(Bytes.copyOf(leaf.leafData()).toHex())
        .isEqualTo("000000000000000000000001000000020000803f000000c0");
    assertThat(leaf.leafHash().toString())
        .isEqualTo("sha256:ef4bc96d7b2e2649da1db9a1823a70d333d66e502c6222e6a09a22ad5e73b5ed");
    assertThat(leaf.values()).containsExactly(1.0f, -2.0f);
    // Negative vectors: any field change changes the hash.
    assertThat(TraceLeaf.of(1, 0, 1, new float[] {1.0f, -2.0f}).leafHash())
        .isNotEqualTo(leaf.leafHash());
    assertThat(TraceLeaf.of(0, 1, 1, new float[] {1.0f, -2.0f}).leafHash())
        .isNotEqualTo(leaf.leafHash());
    assertThat(TraceLeaf.of(0, 0, 2, new float[] {1.0f, -2.0f}).leafHash())
        .isNotEqualTo(leaf.leafHash());
    assertThat(TraceLeaf.of(0, 0, 1, new float[] {1.0f, -0.0f - 2.0f + 0x1.0p-22f}).leafHash())
        .isNotEqualTo(leaf.leafHash());
    // -0.0 and 0.0 are different bits, so different leaves.
    assertThat(TraceLeaf.of(0, 0, 1, new float[] {0.0f}).leafHash())
        .isNotEqualTo(TraceLeaf.of(0, 0, 1, new float[] {-0.0f}).leafHash());
  }

  @Test
  void recorder_hashesLikeTraceLeaf() {
    TraceRecorder r = new TraceRecorder(2, 3, true);
    r.beginPosition(0, 5);
    r.onLayerOutput(0, 0, new float[] {1, 2, 3});
    r.onLayerOutput(0, 1, new float[] {4, 5, 6});
    r.beginPosition(1, 9);
    r.onLayerOutput(1, 0, new float[] {7, 8, 9});
    r.onLayerOutput(1, 1, new float[] {-1, -2, -3});
    GenerationTrace t = r.finish();
    assertThat(t.leafCount()).isEqualTo(4);
    assertThat(t.leafHash(1, 0)).isEqualTo(TraceLeaf.of(1, 0, 9, new float[] {7, 8, 9}).leafHash());
    assertThat(t.leaf(1, 1).values()).containsExactly(-1, -2, -3);
    List<byte[]> hashes = new ArrayList<>();
    for (Digest d : t.leafHashes()) {
      hashes.add(d.value().toByteArray());
    }
    assertThat(t.root()).isEqualTo(MerkleTree.root(hashes));
    assertThat(Arrays.stream(t.tokens()).boxed().toList()).containsExactly(5, 9);
  }
}

package dev.verity.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reference vectors used by certificate-transparency-go, trillian and transparency-dev/merkle
 * (eight leaves "", 00, 10, 2021, 3031, 40414243, 5051525354555657, 606162...6f).
 */
class Rfc9162VectorsTest {
  static final String[] LEAVES = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"
  };
  static final String[] ROOTS = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };

  static MerkleTree tree() {
    MemoryHashStore s = new MemoryHashStore();
    for (String l : LEAVES) {
      s.append(Rfc9162.leafHash(Bytes.fromHex(l).toByteArray()));
    }
    return new MerkleTree(s);
  }

  static List<Bytes> hashes(String... hex) {
    List<Bytes> out = new ArrayList<>();
    for (String h : hex) {
      out.add(Bytes.fromHex(h));
    }
    return out;
  }

  static Bytes leaf(int i) {
    return Rfc9162.leafHash(Bytes.fromHex(LEAVES[i]));
  }

  @Test
  void rootHash_everyPrefixOfReferenceTree_matchesPublishedRoots() {
    MerkleTree t = tree();
    for (int size = 0; size <= 8; size++) {
      assertThat(t.rootHash(size).toHex()).as("size %d", size).isEqualTo(ROOTS[size]);
    }
  }

  @Test
  void leafHash_firstLeaf_matchesPublishedHash() {
    assertThat(leaf(0).toHex())
        .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    assertThat(leaf(7).toHex())
        .isEqualTo("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1");
  }

  @Test
  void inclusionProof_referenceVectors_matchAndVerify() throws Exception {
    // (0-based index, size, path) from transparency-dev/merkle proof/verify_test.go.
    check(
        0,
        8,
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
    check(
        5,
        8,
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    check(2, 3, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
    check(
        1,
        5,
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    check(0, 1);
  }

  private static void check(int index, int size, String... path) throws Exception {
    InclusionProof p = tree().inclusionProof(index, size);
    assertThat(p.path()).isEqualTo(hashes(path));
    p.verify(leaf(index), Bytes.fromHex(ROOTS[size]));
  }

  @Test
  void consistencyProof_referenceVectors_matchAndVerify() throws Exception {
    checkConsistency(1, 1);
    checkConsistency(
        1,
        8,
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
    checkConsistency(
        6,
        8,
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    checkConsistency(
        2,
        5,
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    checkConsistency(
        6,
        7,
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
  }

  private static void checkConsistency(int m, int n, String... path) throws Exception {
    ConsistencyProof p = tree().consistencyProof(m, n);
    assertThat(p.path()).isEqualTo(hashes(path));
    p.verify(Bytes.fromHex(ROOTS[m]), Bytes.fromHex(ROOTS[n]));
  }

  @Test
  void verifyInclusion_corruptedReferenceProof_throws() {
    InclusionProof good = tree().inclusionProof(5, 8);
    Bytes root = Bytes.fromHex(ROOTS[8]);
    List<InclusionProof> bad = new ArrayList<>();
    bad.add(new InclusionProof(4, 8, good.path()));
    bad.add(new InclusionProof(6, 8, good.path()));
    bad.add(new InclusionProof(5, 16, good.path()));
    bad.add(new InclusionProof(5, 4, good.path()));
    bad.add(new InclusionProof(5, 8, good.path().subList(0, 2)));
    List<Bytes> longer = new ArrayList<>(good.path());
    longer.add(root);
    bad.add(new InclusionProof(5, 8, longer));
    List<Bytes> front = new ArrayList<>(good.path());
    front.addFirst(root);
    bad.add(new InclusionProof(5, 8, front));
    for (int i = 0; i < good.path().size(); i++) {
      List<Bytes> flipped = new ArrayList<>(good.path());
      byte[] b = flipped.get(i).toByteArray();
      b[0] ^= 8;
      flipped.set(i, Bytes.copyOf(b));
      bad.add(new InclusionProof(5, 8, flipped));
    }
    for (InclusionProof p : bad) {
      assertThatThrownBy(() -> p.verify(leaf(5), root))
          .as("%s", p)
          .isInstanceOf(InvalidProofException.class);
    }
    assertThatThrownBy(() -> good.verify(leaf(4), root)).isInstanceOf(InvalidProofException.class);
    assertThatThrownBy(() -> good.verify(leaf(5), Rfc9162.EMPTY_ROOT))
        .isInstanceOf(InvalidProofException.class);
  }

  @Test
  void verifyConsistency_corruptedReferenceProof_throws() {
    ConsistencyProof good = tree().consistencyProof(6, 8);
    Bytes r6 = Bytes.fromHex(ROOTS[6]);
    Bytes r8 = Bytes.fromHex(ROOTS[8]);
    List<Runnable> none = List.of();
    assertThat(none).isEmpty();
    List<ConsistencyProof> bad = new ArrayList<>();
    bad.add(new ConsistencyProof(5, 8, good.path()));
    bad.add(new ConsistencyProof(7, 8, good.path()));
    bad.add(new ConsistencyProof(6, 16, good.path()));
    bad.add(new ConsistencyProof(6, 4, good.path()));
    bad.add(new ConsistencyProof(6, 8, List.of()));
    bad.add(new ConsistencyProof(6, 8, good.path().subList(0, 2)));
    for (int i = 0; i < good.path().size(); i++) {
      List<Bytes> flipped = new ArrayList<>(good.path());
      byte[] b = flipped.get(i).toByteArray();
      b[0] ^= 16;
      flipped.set(i, Bytes.copyOf(b));
      bad.add(new ConsistencyProof(6, 8, flipped));
    }
    for (ConsistencyProof p : bad) {
      assertThatThrownBy(() -> p.verify(r6, r8))
          .as("%s", p)
          .isInstanceOf(InvalidProofException.class);
    }
    assertThatThrownBy(() -> good.verify(r8, r6)).isInstanceOf(InvalidProofException.class);
    assertThatThrownBy(() -> new ConsistencyProof(8, 8, List.of()).verify(r6, r8))
        .hasMessageContaining("different roots");
    assertThatThrownBy(() -> new ConsistencyProof(8, 6, List.of()).verify(r8, r6))
        .hasMessageContaining("larger");
  }
}

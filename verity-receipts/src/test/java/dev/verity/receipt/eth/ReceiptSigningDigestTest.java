package dev.verity.receipt.eth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.receipt.BatchProof;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.VerificationPolicy;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Receipt and batch digests against the same EIP-712 encoding hashed with BouncyCastle, over more
 * models and engines than the first-block cache holds.
 */
class ReceiptSigningDigestTest {
  static Digest randomDigest(Random r) {
    byte[] b = new byte[32];
    r.nextBytes(b);
    return new Digest(Bytes.copyOf(b));
  }

  static Receipt randomReceipt(Random r) {
    // 50 models over 3 engines: first blocks both repeat and outnumber the cache.
    Random model = new Random(r.nextInt(50));
    long leaves = r.nextBoolean() ? 0 : 1 + r.nextInt(1000);
    byte[] node = new byte[20];
    r.nextBytes(node);
    return Receipt.builder()
        .model(randomDigest(model))
        .engine(
            "engine-" + r.nextInt(3),
            "1." + r.nextInt(2),
            randomDigest(model),
            r.nextBoolean() ? NumericMode.BITWISE : NumericMode.TOLERANCE)
        .input(randomDigest(r))
        .output(randomDigest(r))
        .trace(leaves == 0 ? Receipt.NO_TRACE : randomDigest(r), leaves)
        .node(new EthAddress(Bytes.copyOf(node)))
        .requestId("req-" + Long.toHexString(r.nextLong()) + "-".repeat(r.nextInt(100)))
        .timeMillis(r.nextLong(Receipt.MAX_SAFE))
        .policy(VerificationPolicy.NONE)
        .seed(r.nextLong())
        .build();
  }

  @Property(tries = 500)
  void signingDigest_matchesBouncyCastleEncoding(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 100_000) int chainId) {
    Receipt receipt = randomReceipt(new Random(seed));
    ReceiptDomain domain = new ReceiptDomain(chainId, EthAddress.ZERO);
    assertThat(receipt.signingDigest(domain))
        .isEqualTo(BouncyCastleEip712.signingDigest(receipt, domain));
  }

  @Property(tries = 200)
  void batchSigningDigest_matchesBouncyCastleEncoding(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = BatchProof.MAX_SIZE) int size) {
    Bytes root = randomDigest(new Random(seed)).value();
    ReceiptDomain domain = ReceiptDomain.DEVNET;
    byte[] structHash =
        BouncyCastleEip712.keccak256(
            BatchProof.TYPEHASH.toByteArray(), root.toByteArray(), Eip712.uint(size));
    byte[] expected =
        BouncyCastleEip712.keccak256(
            new byte[] {0x19, 0x01}, domain.separator().toByteArray(), structHash);
    assertThat(BatchProof.structHash(root, size).toByteArray()).isEqualTo(structHash);
    assertThat(BatchProof.signingDigest(domain, root, size).toByteArray()).isEqualTo(expected);
  }
}

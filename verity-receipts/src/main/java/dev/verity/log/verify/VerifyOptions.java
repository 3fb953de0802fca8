package dev.verity.log.verify;

import dev.verity.log.ConsistencyProof;
import dev.verity.log.note.VerifierKey;
import dev.verity.receipt.ReceiptDomain;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What an offline verifier trusts and requires. Build with {@link #trusting}. */
public final class VerifyOptions {
  private final VerifierKey logKey;
  private List<VerifierKey> witnesses = List.of();
  private int witnessQuorum;
  private String previousCheckpoint;
  private ConsistencyProof consistency;
  private Reexecutor reexecutor;
  private ReceiptDomain domain;

  private VerifyOptions(VerifierKey logKey) {
    this.logKey = Objects.requireNonNull(logKey, "logKey");
    if (logKey.type() != VerifierKey.ED25519) {
      throw new IllegalArgumentException("the log key must be an Ed25519 note key (type 0x01)");
    }
  }

  /** Trust checkpoints signed by {@code logKey}; nothing else required. */
  public static VerifyOptions trusting(VerifierKey logKey) {
    return new VerifyOptions(logKey);
  }

  /** Require valid cosignatures from at least {@code quorum} of {@code witnessKeys}. */
  public VerifyOptions witnesses(List<VerifierKey> witnessKeys, int quorum) {
    for (VerifierKey k : witnessKeys) {
      if (k.type() != VerifierKey.COSIGNATURE_V1) {
        throw new IllegalArgumentException("witness key " + k.name() + " is not a cosignature key");
      }
    }
    if (quorum < 0 || quorum > witnessKeys.size()) {
      throw new IllegalArgumentException("witness quorum must be 0 to " + witnessKeys.size());
    }
    this.witnesses = List.copyOf(witnessKeys);
    this.witnessQuorum = quorum;
    return this;
  }

  /**
   * A checkpoint seen before (signed note text); the bundle's checkpoint must be consistent with
   * it, proven by {@code proof} between the smaller and the larger size (unused if equal).
   */
  public VerifyOptions previouslySeen(String checkpointNote, ConsistencyProof proof) {
    this.previousCheckpoint = Objects.requireNonNull(checkpointNote, "checkpointNote");
    this.consistency = proof;
    return this;
  }

  public VerifyOptions reexecuteWith(Reexecutor r) {
    this.reexecutor = Objects.requireNonNull(r, "reexecutor");
    return this;
  }

  /** Require receipts signed under exactly this EIP-712 domain (chain and contract). */
  public VerifyOptions domain(ReceiptDomain d) {
    this.domain = Objects.requireNonNull(d, "domain");
    return this;
  }

  public VerifierKey logKey() {
    return logKey;
  }

  public List<VerifierKey> witnesses() {
    return witnesses;
  }

  public int witnessQuorum() {
    return witnessQuorum;
  }

  public Optional<String> previousCheckpoint() {
    return Optional.ofNullable(previousCheckpoint);
  }

  public Optional<ConsistencyProof> consistency() {
    return Optional.ofNullable(consistency);
  }

  public Optional<Reexecutor> reexecutor() {
    return Optional.ofNullable(reexecutor);
  }

  public Optional<ReceiptDomain> domain() {
    return Optional.ofNullable(domain);
  }
}

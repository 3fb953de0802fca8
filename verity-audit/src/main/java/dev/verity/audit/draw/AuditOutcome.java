package dev.verity.audit.draw;

import dev.verity.core.Bytes;
import java.util.Objects;

/** Whether a receipt is audited, and by whom. */
public sealed interface AuditOutcome {
  /** The 32-byte seed {@code keccak256(blockHash || receiptDigest)} the decision came from. */
  Bytes seed();

  record NotAudited(Bytes seed) implements AuditOutcome {
    public NotAudited {
      Objects.requireNonNull(seed, "seed");
    }
  }

  record Audited(Bytes seed, Candidate auditor) implements AuditOutcome {
    public Audited {
      Objects.requireNonNull(seed, "seed");
      Objects.requireNonNull(auditor, "auditor");
    }
  }

  /** Selected for audit, but no node of another operator is eligible. */
  record NoAuditorAvailable(Bytes seed) implements AuditOutcome {
    public NoAuditorAvailable {
      Objects.requireNonNull(seed, "seed");
    }
  }
}

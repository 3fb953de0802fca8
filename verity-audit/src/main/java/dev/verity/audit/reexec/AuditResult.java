package dev.verity.audit.reexec;

import dev.verity.core.Digest;
import dev.verity.engine.TraceCommitment;
import java.util.Objects;

/** What re-executing an audited strict-engine receipt showed. */
public sealed interface AuditResult {
  /** Output digest and trace root reproduced bit for bit. */
  record Match(Digest outputDigest, Digest traceRoot) implements AuditResult {
    public Match {
      Objects.requireNonNull(outputDigest, "outputDigest");
      Objects.requireNonNull(traceRoot, "traceRoot");
    }
  }

  /**
   * The receipt disagrees with the re-execution; {@code auditorTrace} is the auditor's own
   * committed trace, ready to open a dispute with ({@code dev.verity.audit.chain.OnChainDispute}).
   */
  record Mismatch(
      Digest receiptOutput,
      Digest auditorOutput,
      Digest receiptTraceRoot,
      Digest auditorTraceRoot,
      TraceCommitment auditorTrace,
      String reason)
      implements AuditResult {
    public Mismatch {
      Objects.requireNonNull(receiptOutput, "receiptOutput");
      Objects.requireNonNull(auditorOutput, "auditorOutput");
      Objects.requireNonNull(receiptTraceRoot, "receiptTraceRoot");
      Objects.requireNonNull(auditorTraceRoot, "auditorTraceRoot");
      Objects.requireNonNull(auditorTrace, "auditorTrace");
      Objects.requireNonNull(reason, "reason");
    }
  }
}

package dev.verity.log.witness;

/**
 * Outcome of a C2SP tlog-witness {@code add-checkpoint} request, with the HTTP status the
 * specification assigns to it; an HTTP handler writes {@link #status()} and {@link #body()}.
 */
public sealed interface AddCheckpointResult {
  int status();

  /** Response body (text). */
  String body();

  /** 200: the cosignature line(s). */
  record Cosigned(String signatureLines) implements AddCheckpointResult {
    @Override
    public int status() {
      return 200;
    }

    @Override
    public String body() {
      return signatureLines;
    }
  }

  /** 400: malformed request or old size larger than the checkpoint. */
  record BadRequest(String reason) implements AddCheckpointResult {
    @Override
    public int status() {
      return 400;
    }

    @Override
    public String body() {
      return reason + "\n";
    }
  }

  /** 403: no signature from a trusted key of that log verifies. */
  record Forbidden(String reason) implements AddCheckpointResult {
    @Override
    public int status() {
      return 403;
    }

    @Override
    public String body() {
      return reason + "\n";
    }
  }

  /** 404: the witness does not follow this origin. */
  record UnknownLog(String origin) implements AddCheckpointResult {
    @Override
    public int status() {
      return 404;
    }

    @Override
    public String body() {
      return "unknown log " + origin + "\n";
    }
  }

  /** 409: the old size is not the latest cosigned size; body is that size (text/x.tlog.size). */
  record Conflict(long latestSize) implements AddCheckpointResult {
    @Override
    public int status() {
      return 409;
    }

    @Override
    public String body() {
      return latestSize + "\n";
    }
  }

  /**
   * The log contradicted itself: 409 for same size with another root, 422 for a failed consistency
   * proof. The evidence is stored.
   */
  record Fork(ForkEvidence evidence, java.nio.file.Path file) implements AddCheckpointResult {
    @Override
    public int status() {
      return evidence.kind() == ForkEvidence.Kind.SAME_SIZE_DIFFERENT_ROOT ? 409 : 422;
    }

    @Override
    public String body() {
      return "fork evidence recorded: " + evidence.kind() + "\n";
    }
  }
}

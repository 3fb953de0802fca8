package dev.verity.node.http;

/** Statuses for the model hub's exceptions; kept next to {@link ProblemMapper}, its only caller. */
final class HubProblems {
  private HubProblems() {}

  static ProblemMapper.Mapped map(Throwable e) {
    return null;
  }
}

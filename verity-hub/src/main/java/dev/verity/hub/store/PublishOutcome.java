package dev.verity.hub.store;

/** The result of {@link ModelStore#publish}: newly published, or the same manifest again. */
public sealed interface PublishOutcome {
  ModelSummary summary();

  /** The manifest was stored and indexed now. */
  record Published(ModelSummary summary) implements PublishOutcome {}

  /** The same name, version and manifest digest were already published; nothing changed. */
  record AlreadyPublished(ModelSummary summary) implements PublishOutcome {}
}

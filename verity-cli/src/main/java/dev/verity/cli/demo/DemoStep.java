package dev.verity.cli.demo;

/** One titled step of {@code verity demo}; later features add their own steps to the list. */
public record DemoStep(String title, Action action) {
  /** The work of a step. */
  @FunctionalInterface
  public interface Action {
    void run(DemoContext ctx) throws Exception;
  }
}

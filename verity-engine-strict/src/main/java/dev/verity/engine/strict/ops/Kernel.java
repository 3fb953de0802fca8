package dev.verity.engine.strict.ops;

/** One compiled operator: inputs (null for an omitted optional input) to outputs. */
@FunctionalInterface
public interface Kernel {
  Nd[] run(Nd[] inputs, ExecContext ctx);
}

package dev.verity.llm.trace;

import java.util.List;
import java.util.Objects;

/**
 * What a referee needs to re-execute one (position, layer) step of a committed generation: the
 * input tokens of positions 0..position, the layer's inputs at those positions (the committed
 * outputs of layer − 1; empty for layer 0, whose inputs are the token embeddings) and the claimed
 * output, every leaf with its inclusion proof.
 */
public record StepEvidence(
    int position, int layer, List<Integer> tokens, List<ProvenLeaf> inputs, ProvenLeaf output) {
  public StepEvidence {
    if (position < 0 || layer < 0) {
      throw new IllegalArgumentException("position and layer must be non-negative");
    }
    tokens = List.copyOf(tokens);
    inputs = List.copyOf(inputs);
    Objects.requireNonNull(output, "output");
    if (tokens.size() != position + 1) {
      throw new IllegalArgumentException(
          "step at position "
              + position
              + " needs "
              + (position + 1)
              + " tokens, got "
              + tokens.size());
    }
    int expectedInputs = layer == 0 ? 0 : position + 1;
    if (inputs.size() != expectedInputs) {
      throw new IllegalArgumentException(
          "step at layer "
              + layer
              + " needs "
              + expectedInputs
              + " input leaves, got "
              + inputs.size());
    }
  }

  /** Collects the evidence for (position, layer) from a trace that retained activations. */
  public static StepEvidence from(GenerationTrace trace, int position, int layer) {
    int[] all = trace.tokens();
    List<Integer> tokens = new java.util.ArrayList<>();
    for (int t = 0; t <= position; t++) {
      tokens.add(all[t]);
    }
    List<ProvenLeaf> inputs = new java.util.ArrayList<>();
    if (layer > 0) {
      for (int t = 0; t <= position; t++) {
        inputs.add(trace.provenLeaf(t, layer - 1));
      }
    }
    return new StepEvidence(position, layer, tokens, inputs, trace.provenLeaf(position, layer));
  }
}

package dev.verity.node.openai;

import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.llm.LlmParties;
import dev.verity.llm.trace.GenerationTrace;
import dev.verity.llm.trace.ProvenLeaf;
import dev.verity.node.audit.CheatStrategy;
import dev.verity.node.audit.NodeCheat;
import java.util.Optional;

/**
 * The LLM side of the node's fault injection ({@code audit-cheat}, tests on a devnet only): under
 * {@code lying-trace} the node serves the honest completion but commits a trace whose activation at
 * one (position, layer) step is perturbed — the residual stream leaving layer {@code layers / 2} at
 * the position of the second generated token (or the last position of a shorter trace) has one
 * mantissa bit flipped. The node plays the same lie when disputed, so a bisection pins exactly that
 * step.
 */
public final class LlmTraceLie {
  private LlmTraceLie() {}

  /** Present when the node's cheat ({@code audit-cheat}, devnet only) is {@code lying-trace}. */
  public static Optional<LlmTraceLie> of(Optional<NodeCheat> cheat) {
    return cheat.filter(c -> c.strategy() == CheatStrategy.LYING_TRACE).map(c -> new LlmTraceLie());
  }

  /** The (position, layer) step this lie is about, for a trace of {@code promptTokens} prompt. */
  public static int position(GenerationTrace trace, int promptTokens) {
    return Math.min(promptTokens + 1, trace.positions() - 1);
  }

  public static int layer(GenerationTrace trace) {
    return trace.layers() / 2;
  }

  /** The lying party over a full trace (activations kept). */
  public TraceParty<ProvenLeaf> party(GenerationTrace trace, int promptTokens) {
    int p = position(trace, promptTokens);
    int l = layer(trace);
    float[] v = trace.leaf(p, l).values();
    v[0] = Float.intBitsToFloat(Float.floatToRawIntBits(v[0]) ^ (1 << 20));
    return LlmParties.lyingAbout(trace, p, l, v);
  }
}

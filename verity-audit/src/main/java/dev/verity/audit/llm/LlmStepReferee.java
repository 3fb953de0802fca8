package dev.verity.audit.llm;

import dev.verity.audit.bisect.SingleStepReferee;
import dev.verity.audit.bisect.StepMismatchException;
import dev.verity.core.Digest;
import dev.verity.llm.trace.ProvenLeaf;
import dev.verity.llm.trace.StepEvidence;
import dev.verity.llm.trace.StepVerifier;
import dev.verity.llm.trace.TraceVerificationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Referee for LLM generation traces (verity-llm docs/TRACE.md): leaf {@code i} is the step
 * (position {@code i / L}, layer {@code i % L}). It re-executes that one layer at that one position
 * with {@link StepVerifier} from the agreed inputs (leaves of layer − 1 at positions ≤ p, or token
 * embeddings). When the pinned leaf is layer 0 of a generated position, the token itself is also
 * checked: the head (final norm, classifier, sampler) on the agreed last-layer leaf of position p −
 * 1 must sample it. Prompt positions must carry the request's prompt tokens.
 */
public final class LlmStepReferee implements SingleStepReferee<ProvenLeaf> {
  private final StepVerifier verifier;
  private final int layers;
  private final List<Integer> promptTokens;
  private final float temperature;
  private final float topP;
  private final long seed;

  /**
   * @param promptTokens the request's prompt tokens (agreed: the receipt's input digest binds them)
   */
  public LlmStepReferee(
      StepVerifier verifier,
      int layers,
      List<Integer> promptTokens,
      float temperature,
      float topP,
      long seed) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    if (layers < 1) {
      throw new IllegalArgumentException("a model has at least one layer");
    }
    if (promptTokens.isEmpty()) {
      throw new IllegalArgumentException("the prompt has at least one token");
    }
    this.layers = layers;
    this.promptTokens = List.copyOf(promptTokens);
    this.temperature = temperature;
    this.topP = topP;
    this.seed = seed;
  }

  @Override
  public Digest leafHash(ProvenLeaf leaf) {
    return leaf.leaf().leafHash();
  }

  @Override
  public void verifyOpening(long index, Digest root, long leafCount, ProvenLeaf leaf)
      throws StepMismatchException {
    if (leaf.proof().leafIndex() != index) {
      throw new StepMismatchException(
          "opening is for leaf " + leaf.proof().leafIndex() + ", expected leaf " + index);
    }
    try {
      leaf.verify(root, leafCount, layers);
    } catch (TraceVerificationException e) {
      throw new StepMismatchException(e.getMessage(), e);
    }
  }

  @Override
  public void checkStep(
      long leafIndex,
      Digest root,
      long leafCount,
      ProvenLeaf claimed,
      AgreedLeaves<ProvenLeaf> agreed)
      throws StepMismatchException {
    verifyOpening(leafIndex, root, leafCount, claimed);
    if (leafCount % layers != 0) {
      throw new StepMismatchException(
          "a trace of " + leafCount + " leaves is not whole positions of " + layers + " layers");
    }
    int p = (int) (leafIndex / layers);
    int l = (int) (leafIndex % layers);
    int token = claimed.leaf().token();
    if (p < promptTokens.size() && token != promptTokens.get(p)) {
      throw new StepMismatchException(
          "position " + p + " carries token " + token + ", the prompt has " + promptTokens.get(p));
    }
    List<Integer> tokens = new ArrayList<>();
    for (int t = 0; t < p; t++) {
      tokens.add(agreed.open((long) t * layers).leaf().token());
    }
    if (l == 0) {
      if (p >= promptTokens.size()) {
        ProvenLeaf last = agreed.open((long) (p - 1) * layers + layers - 1);
        try {
          verifier.verifyHead(
              root, leafCount, last, token, temperature, topP, seed, p - promptTokens.size());
        } catch (TraceVerificationException e) {
          throw new StepMismatchException(e.getMessage(), e);
        }
      }
      tokens.add(token);
    } else {
      tokens.add(agreed.open((long) p * layers).leaf().token());
    }
    List<ProvenLeaf> inputs = new ArrayList<>();
    if (l > 0) {
      for (int t = 0; t <= p; t++) {
        inputs.add(agreed.open((long) t * layers + l - 1));
      }
    }
    try {
      verifier.verify(root, leafCount, new StepEvidence(p, l, tokens, inputs, claimed));
    } catch (TraceVerificationException | IllegalArgumentException e) {
      throw new StepMismatchException(e.getMessage(), e);
    }
  }

  /**
   * Not supported: an LLM receipt's output digest covers the completion tokens, whose last token is
   * sampled after the last forwarded position and is in no leaf. Throws rather than convicting
   * either side.
   */
  @Override
  public void checkOutput(
      Digest root, long leafCount, Digest claimedOutputDigest, AgreedLeaves<ProvenLeaf> agreed) {
    throw new UnsupportedOperationException(
        "output-step disputes over LLM receipts are not implemented; dispute the trace instead");
  }
}

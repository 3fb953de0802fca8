package dev.verity.llm.trace;

import dev.verity.core.Digest;
import dev.verity.llm.sampling.Sampler;
import dev.verity.llm.transformer.Transformer;
import java.util.Arrays;

/**
 * Re-executes a single (position, layer) step of a committed generation and checks the committed
 * output. Every leaf is first proven against the root; the layer's keys and values for earlier
 * positions are recomputed from the committed inputs, so no cache state needs committing.
 */
public final class StepVerifier {
  private final Transformer transformer;

  public StepVerifier(Transformer transformer) {
    this.transformer = transformer;
  }

  /**
   * Throws {@link TraceVerificationException} if a proof fails, a leaf is not where the evidence
   * says, or the re-executed output differs in any bit from the committed one.
   */
  public void verify(Digest root, long treeSize, StepEvidence e) throws TraceVerificationException {
    int layers = transformer.config().nLayers();
    int dim = transformer.config().dim();
    if (e.layer() >= layers) {
      throw new TraceVerificationException(
          "step names layer " + e.layer() + " but the model has " + layers);
    }
    int vocab = transformer.config().vocabSize();
    for (int t = 0; t <= e.position(); t++) {
      int tok = e.tokens().get(t);
      if (tok < 0 || tok >= vocab) {
        throw new TraceVerificationException(
            "token " + tok + " at position " + t + " is outside the vocabulary");
      }
    }
    checkLeaf(e.output(), e.position(), e.layer(), e.tokens().get(e.position()), dim);
    e.output().verify(root, treeSize, layers);
    float[][] inputs = new float[e.position() + 1][];
    for (int t = 0; t <= e.position(); t++) {
      if (e.layer() == 0) {
        inputs[t] = transformer.embedding(e.tokens().get(t));
      } else {
        ProvenLeaf in = e.inputs().get(t);
        checkLeaf(in, t, e.layer() - 1, e.tokens().get(t), dim);
        in.verify(root, treeSize, layers);
        inputs[t] = in.leaf().values();
      }
    }
    float[] recomputed = transformer.reexecuteLayer(e.layer(), inputs);
    float[] claimed = e.output().leaf().values();
    if (!Arrays.equals(
        TraceLeaf.floatBytes(recomputed, recomputed.length),
        TraceLeaf.floatBytes(claimed, claimed.length))) {
      int first = 0;
      while (Float.floatToRawIntBits(recomputed[first])
          == Float.floatToRawIntBits(claimed[first])) {
        first++;
      }
      throw new TraceVerificationException(
          "re-executing layer "
              + e.layer()
              + " at position "
              + e.position()
              + " gives a different output: element "
              + first
              + " is "
              + recomputed[first]
              + ", committed "
              + claimed[first]);
    }
  }

  /**
   * Checks the head step after position {@code p}: the final norm, classifier and sampler applied
   * to the committed last-layer leaf at p give {@code nextToken}. {@code sampleIndex} counts the
   * sampled tokens of the request before this one (p − (prompt tokens − 1)).
   */
  public void verifyHead(
      Digest root,
      long treeSize,
      ProvenLeaf lastLayer,
      int nextToken,
      float temperature,
      float topP,
      long seed,
      long sampleIndex)
      throws TraceVerificationException {
    int layers = transformer.config().nLayers();
    TraceLeaf l = lastLayer.leaf();
    if (l.layer() != layers - 1) {
      throw new TraceVerificationException(
          "the head step needs the last layer's leaf ("
              + (layers - 1)
              + "), got layer "
              + l.layer());
    }
    checkLeaf(lastLayer, l.position(), layers - 1, l.token(), transformer.config().dim());
    lastLayer.verify(root, treeSize, layers);
    float[] logits = transformer.head(l.values());
    Sampler sampler = new Sampler(transformer.config().vocabSize(), temperature, topP, seed);
    sampler.skipTo(sampleIndex);
    int token = sampler.sample(logits, logits.length);
    if (token != nextToken) {
      throw new TraceVerificationException(
          "the head at position "
              + l.position()
              + " samples token "
              + token
              + ", but the generation continued with "
              + nextToken);
    }
  }

  private static void checkLeaf(ProvenLeaf p, int position, int layer, int token, int dim)
      throws TraceVerificationException {
    TraceLeaf l = p.leaf();
    if (l.position() != position || l.layer() != layer || l.token() != token) {
      throw new TraceVerificationException(
          "leaf (position "
              + l.position()
              + ", layer "
              + l.layer()
              + ", token "
              + l.token()
              + ") is not the expected (position "
              + position
              + ", layer "
              + layer
              + ", token "
              + token
              + ")");
    }
    if (l.activation().length() != 4 * dim) {
      throw new TraceVerificationException(
          "leaf at position "
              + position
              + ", layer "
              + layer
              + " has "
              + l.activation().length() / 4
              + " floats, the model's width is "
              + dim);
    }
  }
}

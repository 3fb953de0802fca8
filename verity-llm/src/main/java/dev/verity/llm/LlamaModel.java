package dev.verity.llm;

import dev.verity.engine.EngineInfo;
import dev.verity.engine.InferenceException;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.NumericMode;
import dev.verity.llm.checkpoint.Llama2cCheckpoint;
import dev.verity.llm.gguf.GgufLlama;
import dev.verity.llm.sampling.Sampler;
import dev.verity.llm.tokenizer.Llama2cTokenizerFile;
import dev.verity.llm.tokenizer.Tokenizer;
import dev.verity.llm.trace.GenerationTrace;
import dev.verity.llm.trace.StepVerifier;
import dev.verity.llm.trace.TraceRecorder;
import dev.verity.llm.transformer.LlamaConfig;
import dev.verity.llm.transformer.LlamaWeights;
import dev.verity.llm.transformer.MatvecExecutor;
import dev.verity.llm.transformer.RunState;
import dev.verity.llm.transformer.Transformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Llama-2-architecture model ready to generate. The weights are immutable and shared, so {@link
 * #generate} may run concurrently; each call allocates its own state. Generation follows llama2.c's
 * loop: position 0 holds the first prompt token, prompt tokens are forced until the last one, then
 * each position's logits give the next token, and BOS or EOS ends generation.
 */
public final class LlamaModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LlamaModel.class);

  /** Identifies the arithmetic and sampling rules; part of the engine configuration. */
  public static final String ARITHMETIC = "verity-llm-float32-sequential-v1";

  public static final String SAMPLER = "splitmix64-top-p-v1";

  private final LlamaConfig config;
  private final Tokenizer tokenizer;
  private final Transformer transformer;
  private final LlmOptions options;
  private final int contextLength;

  private LlamaModel(
      LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer, LlmOptions options)
      throws ModelLoadException {
    this.config = config;
    this.tokenizer = tokenizer;
    this.options = options;
    if (tokenizer.vocabSize() != config.vocabSize()) {
      throw new ModelLoadException(
          "tokenizer has "
              + tokenizer.vocabSize()
              + " tokens but the model's vocabulary is "
              + config.vocabSize());
    }
    MatvecExecutor executor = MatvecExecutor.create(options.kernels(), options.threads());
    try {
      this.transformer = new Transformer(config, weights, executor);
    } catch (IllegalArgumentException e) {
      executor.close();
      throw new ModelLoadException("model weights do not match its config: " + e.getMessage(), e);
    }
    this.contextLength = Math.min(config.seqLen(), options.limits().maxContextTokens());
    LOG.info(
        "Llama model ready: dim {}, {} layers, {}/{} heads, vocab {}, context {}, {} kernels on {}"
            + " thread(s)",
        config.dim(),
        config.nLayers(),
        config.nHeads(),
        config.nKvHeads(),
        config.vocabSize(),
        contextLength,
        options.kernels(),
        options.threads());
  }

  /** Loads a llama2.c checkpoint and tokenizer with {@link LlmOptions#DEFAULT}. */
  public static LlamaModel load(Path checkpoint, Path tokenizer) throws ModelLoadException {
    return load(checkpoint, tokenizer, LlmOptions.DEFAULT);
  }

  public static LlamaModel load(Path checkpoint, Path tokenizer, LlmOptions options)
      throws ModelLoadException {
    Llama2cCheckpoint.Loaded c = Llama2cCheckpoint.load(checkpoint, options.maxParameterBytes());
    Tokenizer t = Llama2cTokenizerFile.read(tokenizer, c.config().vocabSize());
    return new LlamaModel(c.config(), c.weights(), t, options);
  }

  /** Loads a Llama-family GGUF file (F32, F16 or Q8_0 weights) with its embedded tokenizer. */
  public static LlamaModel loadGguf(Path file) throws ModelLoadException {
    return loadGguf(file, LlmOptions.DEFAULT);
  }

  public static LlamaModel loadGguf(Path file, LlmOptions options) throws ModelLoadException {
    GgufLlama.Loaded g = GgufLlama.load(file, options.maxParameterBytes());
    return new LlamaModel(g.config(), g.weights(), g.tokenizer(), options);
  }

  /** Wraps weights already in memory (for tools and tests that build models). */
  public static LlamaModel of(
      LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer, LlmOptions options)
      throws ModelLoadException {
    return new LlamaModel(config, weights, tokenizer, options);
  }

  public LlamaConfig config() {
    return config;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public Transformer transformer() {
    return transformer;
  }

  public LlmOptions options() {
    return options;
  }

  /** The largest prompt plus generated token count a request may use. */
  public int contextLength() {
    return contextLength;
  }

  /** What runs generations; the thread count is absent because it does not change any bit. */
  public EngineInfo engineInfo() {
    return EngineInfo.of(
        "verity-llm",
        "0.1.0",
        Map.of("arithmetic", ARITHMETIC, "sampler", SAMPLER),
        NumericMode.BITWISE);
  }

  /** A verifier that re-executes single (position, layer) steps with this model's weights. */
  public StepVerifier stepVerifier() {
    return new StepVerifier(transformer);
  }

  /** The prompt's token ids as generation will use them. */
  public int[] promptTokens(Prompt prompt) {
    return switch (prompt) {
      case Prompt.Text t -> tokenizer.encode(t.text());
      case Prompt.Tokens t -> t.tokens().stream().mapToInt(Integer::intValue).toArray();
    };
  }

  /**
   * Starts generating on another thread and returns an iterator of its events (tokens, then the
   * result or the failure). Close it to stop early.
   */
  public TokenStream stream(GenerationRequest request) {
    Objects.requireNonNull(request, "request");
    return new TokenStream(this, request);
  }

  public Generation generate(GenerationRequest request) throws InferenceException {
    return generate(request, TokenListener.NONE);
  }

  /**
   * Generates, calling {@code listener} for each token as it is produced.
   *
   * @throws GenerationLimitException if the prompt plus {@code maxTokens} exceeds the context
   *     length or {@code maxTokens} exceeds the limit
   * @throws InferenceException for tokens outside the vocabulary or an interrupted thread
   */
  public Generation generate(GenerationRequest request, TokenListener listener)
      throws InferenceException {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(listener, "listener");
    int[] prompt;
    try {
      prompt = promptTokens(request.prompt());
    } catch (IllegalArgumentException e) {
      throw new InferenceException("cannot tokenize the prompt: " + e.getMessage(), e);
    }
    checkLimits(prompt.length, request.maxTokens());
    for (int i = 0; i < prompt.length; i++) {
      if (prompt[i] < 0 || prompt[i] >= config.vocabSize()) {
        throw new InferenceException(
            "prompt token "
                + prompt[i]
                + " at index "
                + i
                + " is outside the vocabulary of "
                + config.vocabSize());
      }
    }
    int nPrompt = prompt.length;
    RunState state = new RunState(config, nPrompt + request.maxTokens() - 1);
    Sampler sampler =
        new Sampler(config.vocabSize(), request.temperature(), request.topP(), request.seed());
    TraceRecorder recorder =
        new TraceRecorder(config.nLayers(), config.dim(), request.trace() == TraceMode.FULL);
    Utf8Stream utf8 = new Utf8Stream();
    StringBuilder text = new StringBuilder();
    List<Integer> completion = new ArrayList<>();
    FinishReason finish = FinishReason.LENGTH;
    int token = prompt[0];
    int pos = 0;
    while (true) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InferenceException("generation interrupted at position " + pos);
      }
      boolean sampling = pos >= nPrompt - 1;
      recorder.beginPosition(pos, token);
      transformer.forward(state, token, pos, sampling, recorder);
      if (!sampling) {
        token = prompt[++pos];
        continue;
      }
      int next = sampler.sample(state.logits(), config.vocabSize());
      pos++;
      if (next == tokenizer.bos() || next == tokenizer.eos()) {
        finish = FinishReason.STOP;
        break;
      }
      String delta = utf8.push(tokenizer.decode(token, next));
      text.append(delta);
      listener.onToken(completion.size(), next, delta);
      completion.add(next);
      token = next;
      if (completion.size() == request.maxTokens()) {
        break;
      }
    }
    String tail = utf8.finish();
    if (!tail.isEmpty()) {
      text.append(tail);
      listener.onToken(completion.size() - 1, completion.getLast(), tail);
    }
    GenerationTrace trace = recorder.finish();
    List<Integer> promptList = new ArrayList<>(nPrompt);
    for (int t : prompt) {
      promptList.add(t);
    }
    return new Generation(
        promptList,
        completion,
        text.toString(),
        finish,
        new Usage(nPrompt, completion.size()),
        request.seed(),
        trace);
  }

  private void checkLimits(int promptTokens, int maxTokens) throws GenerationLimitException {
    int maxNew = options.limits().maxNewTokens();
    if (maxTokens > maxNew) {
      throw new GenerationLimitException(
          "max_tokens",
          maxNew,
          maxTokens,
          "max_tokens is " + maxTokens + ", over the limit of " + maxNew);
    }
    if (promptTokens >= contextLength) {
      throw new GenerationLimitException(
          "context_length",
          contextLength,
          promptTokens,
          "the prompt has "
              + promptTokens
              + " tokens, which leaves no room in the context length of "
              + contextLength);
    }
    if ((long) promptTokens + maxTokens > contextLength) {
      throw new GenerationLimitException(
          "context_length",
          contextLength,
          (long) promptTokens + maxTokens,
          "the prompt has "
              + promptTokens
              + " tokens and max_tokens is "
              + maxTokens
              + ": "
              + (promptTokens + (long) maxTokens)
              + " is over the context length of "
              + contextLength);
    }
  }

  @Override
  public void close() {
    transformer.executor().close();
  }
}

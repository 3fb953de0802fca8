package dev.verity.engine.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.verity.engine.DataType;
import dev.verity.engine.EngineInfo;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceEngine;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.NumericMode;
import dev.verity.engine.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * ONNX Runtime on the CPU execution provider with a pinned configuration. Outputs depend on the ORT
 * version, optimisation level, intra-op thread count and the CPU's instruction set, so results are
 * {@link NumericMode#TOLERANCE}: audits compare them within the thresholds in this module's README.
 */
public final class OrtEngine implements InferenceEngine {
  /** Engine id recorded in receipts. */
  public static final String ID = "ort";

  private final OrtConfig config;
  private final OrtEnvironment env;
  private final EngineInfo info;

  public OrtEngine() {
    this(OrtConfig.DEFAULT);
  }

  /**
   * @throws IllegalStateException if the ONNX Runtime on the class path is not the pinned version
   */
  public OrtEngine(OrtConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "verity");
    String version = env.getVersion();
    if (!OrtConfig.PINNED_ORT_VERSION.equals(version)) {
      throw new IllegalStateException(
          "ONNX Runtime "
              + version
              + " is on the class path but Verity's ort engine is pinned to "
              + OrtConfig.PINNED_ORT_VERSION);
    }
    this.info = EngineInfo.of(ID, version, configMap(config, version), NumericMode.TOLERANCE);
  }

  public OrtConfig config() {
    return config;
  }

  @Override
  public EngineInfo info() {
    return info;
  }

  @Override
  public LoadedModel load(Path modelFile, EngineLimits limits) throws ModelLoadException {
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(limits, "limits");
    long size;
    try {
      if (!Files.isRegularFile(modelFile)) {
        throw new ModelLoadException(
            "model file " + modelFile + " does not exist or is not a file");
      }
      size = Files.size(modelFile);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read model file " + modelFile + ": " + e, e);
    }
    if (size > limits.maxTotalBytes()) {
      throw new ModelLoadException(
          "model file "
              + modelFile
              + " is "
              + size
              + " bytes, over the memory budget of "
              + limits.maxTotalBytes()
              + " bytes");
    }
    OrtSession session;
    try (OrtSession.SessionOptions options = sessionOptions(config)) {
      session = env.createSession(modelFile.toString(), options);
    } catch (OrtException e) {
      throw new ModelLoadException(
          "ONNX Runtime cannot load model " + modelFile + ": " + e.getMessage(), e);
    }
    try {
      List<TensorSpec> inputs = specs(session.getInputInfo(), "input", modelFile);
      List<TensorSpec> outputs = specs(session.getOutputInfo(), "output", modelFile);
      for (TensorSpec in : inputs) {
        checkDeclaredSize(in, limits, modelFile);
      }
      return new OrtModel(env, session, inputs, outputs, limits);
    } catch (ModelLoadException | RuntimeException e) {
      closeQuietly(session);
      throw e;
    } catch (OrtException e) {
      closeQuietly(session);
      throw new ModelLoadException(
          "ONNX Runtime cannot describe model " + modelFile + ": " + e.getMessage(), e);
    }
  }

  static OrtSession.SessionOptions sessionOptions(OrtConfig config) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    try {
      o.setOptimizationLevel(config.optimizationLevel());
      o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      o.setIntraOpNumThreads(config.intraOpThreads());
      o.setInterOpNumThreads(config.interOpThreads());
      o.setCPUArenaAllocator(config.cpuArena());
      o.setMemoryPatternOptimization(config.memoryPattern());
      o.setDeterministicCompute(true);
      o.addConfigEntry("session.intra_op.allow_spinning", config.allowSpinning() ? "1" : "0");
      // Denormals are computed, not flushed: flushing would be another platform-dependent switch.
      o.addConfigEntry("session.set_denormal_as_zero", "0");
      o.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      // No execution provider is added: the CPU EP is ORT's default and only provider here.
      return o;
    } catch (OrtException | RuntimeException e) {
      o.close();
      throw e;
    }
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> infos, String role, Path modelFile)
      throws ModelLoadException {
    List<TensorSpec> specs = new ArrayList<>();
    for (NodeInfo node : infos.values()) {
      if (!(node.getInfo() instanceof TensorInfo t)) {
        throw new ModelLoadException(
            "model "
                + modelFile
                + ": "
                + role
                + " '"
                + node.getName()
                + "' is "
                + node.getInfo()
                + ", not a tensor; Verity engines exchange tensors only");
      }
      DataType type =
          OrtTensors.dataType(t.onnxType)
              .orElseThrow(
                  () ->
                      new ModelLoadException(
                          "model "
                              + modelFile
                              + ": "
                              + role
                              + " '"
                              + node.getName()
                              + "' has element type "
                              + t.onnxType
                              + ", which Verity tensors cannot carry"));
      List<Long> dims = new ArrayList<>();
      for (long d : t.getShape()) {
        dims.add(d < 0 ? -1L : d);
      }
      List<String> names = new ArrayList<>();
      String[] dimNames = t.getDimensionNames();
      for (int i = 0; i < dims.size(); i++) {
        String n = dimNames != null && i < dimNames.length ? dimNames[i] : null;
        names.add(n == null ? "" : n);
      }
      specs.add(new TensorSpec(node.getName(), type, dims, names));
    }
    return List.copyOf(specs);
  }

  private static void checkDeclaredSize(TensorSpec spec, EngineLimits limits, Path modelFile)
      throws ModelLoadException {
    long bytes = spec.type().byteSize();
    for (long d : spec.dims()) {
      if (d < 0) {
        return; // symbolic: checked at run time against the actual input
      }
      if (d != 0 && bytes > Long.MAX_VALUE / d) {
        bytes = Long.MAX_VALUE;
        break;
      }
      bytes *= d;
    }
    if (bytes > limits.maxTensorBytes()) {
      throw new ModelLoadException(
          "model "
              + modelFile
              + ": input '"
              + spec.name()
              + "' of shape "
              + spec.dims()
              + " needs "
              + bytes
              + " bytes, over the per-tensor limit of "
              + limits.maxTensorBytes());
    }
  }

  private static Map<String, String> configMap(OrtConfig config, String version) {
    Map<String, String> m = new TreeMap<>();
    m.put("ort.version", version);
    m.put("ort.graph_optimization_level", config.optimizationLevelName());
    m.put("ort.intra_op_threads", Integer.toString(config.intraOpThreads()));
    m.put("ort.inter_op_threads", Integer.toString(config.interOpThreads()));
    m.put("ort.execution_mode", "ORT_SEQUENTIAL");
    m.put("ort.execution_provider", "CPUExecutionProvider");
    m.put("ort.cpu_arena", Boolean.toString(config.cpuArena()));
    m.put("ort.memory_pattern", Boolean.toString(config.memoryPattern()));
    m.put("ort.intra_op_allow_spinning", Boolean.toString(config.allowSpinning()));
    m.put("ort.deterministic_compute", "true");
    m.put("ort.denormal_as_zero", "false");
    m.put("host.os_arch", System.getProperty("os.arch", "unknown"));
    m.put("host.cpu_features", HostCpu.features());
    return m;
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException ignored) {
      // Already failing; the load error is the one worth reporting.
    }
  }

  @Override
  public String toString() {
    return "OrtEngine" + info.config();
  }

  /** The CPU features ORT's kernels dispatch on; they change which kernel (and bits) run. */
  static final class HostCpu {
    private static final List<String> RELEVANT =
        List.of("avx512_vnni", "avx512bw", "avx512f", "avx_vnni", "avx2", "fma", "avx", "sse4_1");
    private static final String FEATURES = detect();

    private HostCpu() {}

    static String features() {
      return FEATURES;
    }

    private static String detect() {
      Path cpuinfo = Path.of("/proc/cpuinfo");
      try {
        if (Files.isReadable(cpuinfo)) {
          for (String line : Files.readAllLines(cpuinfo)) {
            String l = line.toLowerCase(Locale.ROOT);
            if (l.startsWith("flags") || l.startsWith("features")) {
              List<String> have = Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split(" "));
              List<String> found = RELEVANT.stream().filter(have::contains).toList();
              return found.isEmpty() ? "none" : String.join(",", found);
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        return "unknown";
      }
      return "unknown";
    }
  }
}

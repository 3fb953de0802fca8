package dev.verity.client.internal;

import dev.verity.client.InferenceBundle;
import dev.verity.client.VerificationException;
import dev.verity.client.VerificationException.Failure;
import dev.verity.core.Digest;
import dev.verity.engine.DataType;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceException;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.NumericMode;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.receipt.Receipt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Re-runs a receipt's inference with the strict engine on local model files. Bitwise receipts must
 * be reproduced exactly (output digest and trace root); receipts of tolerance engines are compared
 * element by element against the bundled outputs within {@link #ABS_TOL} + {@link #REL_TOL} ×
 * |expected|.
 */
public final class Reexecution {
  public static final double ABS_TOL = 1e-4;
  public static final double REL_TOL = 1e-3;

  private Reexecution() {}

  public static void check(InferenceBundle bundle, Path modelDir) throws VerificationException {
    Receipt r = bundle.receipt().receipt().receipt();
    if (bundle.inputs().isEmpty()) {
      throw new VerificationException(
          Failure.REEXECUTION_FAILED,
          "re-execution failed: the bundle carries no inputs to re-execute with");
    }
    byte[] model = modelBytes(bundle, modelDir);
    InferenceResult result;
    try (StrictModel m = new StrictEngine().load(model, EngineLimits.DEFAULT)) {
      // A receipt without a trace (deferred) commits to the output alone; one with a trace needs
      // only the root and leaf count.
      result =
          m.run(
              bundle.inputs(),
              r.traceLeaves() > 0 ? RunOptions.WITH_TRACE_ROOT : RunOptions.DEFAULT);
    } catch (ModelLoadException | InferenceException e) {
      throw new VerificationException(
          Failure.REEXECUTION_FAILED, "re-execution failed: " + e.getMessage(), e);
    }
    Map<String, Tensor> got = result.outputs();
    Digest gotDigest = TensorEncoding.digest(got);
    if (r.numericMode() == NumericMode.BITWISE) {
      if (!gotDigest.equals(r.outputDigest())) {
        throw new VerificationException(Failure.OUTPUT_DIFFERS, outputDiff(bundle, got, gotDigest));
      }
      if (r.traceLeaves() > 0) {
        TraceCommitment t =
            result
                .trace()
                .orElseThrow(
                    () ->
                        new VerificationException(
                            Failure.REEXECUTION_FAILED,
                            "re-execution failed: the strict engine kept no trace"));
        if (!t.root().equals(r.traceRoot()) || t.leafCount() != r.traceLeaves()) {
          throw new VerificationException(
              Failure.TRACE_DIFFERS,
              "trace root differs: the receipt commits to "
                  + r.traceRoot()
                  + " over "
                  + r.traceLeaves()
                  + " tensors, re-execution gives "
                  + t.root()
                  + " over "
                  + t.leafCount());
        }
      }
      return;
    }
    if (bundle.outputs().isEmpty()) {
      throw new VerificationException(
          Failure.REEXECUTION_FAILED,
          "re-execution failed: a "
              + r.engineId()
              + " receipt is compared within tolerance and needs the bundled outputs");
    }
    String diff = firstDifference(bundle.outputs(), got, true);
    if (diff != null) {
      throw new VerificationException(Failure.OUTPUT_DIFFERS, diff);
    }
  }

  private static byte[] modelBytes(InferenceBundle bundle, Path dir) throws VerificationException {
    List<ManifestFile> onnx = new ArrayList<>();
    for (ManifestFile f : bundle.manifest().manifest().files()) {
      if (f.path().endsWith(".onnx")) {
        onnx.add(f);
      }
    }
    if (onnx.size() != 1) {
      throw new VerificationException(
          Failure.REEXECUTION_FAILED,
          "re-execution failed: the manifest lists " + onnx.size() + " .onnx files, not one");
    }
    ManifestFile f = onnx.get(0);
    Path root = dir.toAbsolutePath().normalize();
    Path file = root.resolve(f.path()).normalize();
    if (!file.startsWith(root)) {
      throw new VerificationException(
          Failure.MODEL_FILES_MISMATCH,
          "manifest path " + f.path() + " leaves the model directory");
    }
    if (!Files.isRegularFile(file) && Files.isRegularFile(dir)) {
      file = dir;
    }
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new VerificationException(
          Failure.MODEL_FILES_MISMATCH,
          "model file " + f.path() + " cannot be read from " + dir + ": " + e.getMessage(),
          e);
    }
    Digest d = Digest.of(b);
    if (b.length != f.size() || !d.equals(f.digest())) {
      throw new VerificationException(
          Failure.MODEL_FILES_MISMATCH,
          "model file "
              + file
              + " hashes to "
              + d
              + " ("
              + b.length
              + " bytes) but the manifest lists "
              + f.digest()
              + " ("
              + f.size()
              + " bytes) for "
              + f.path());
    }
    return b;
  }

  private static String outputDiff(
      InferenceBundle bundle, Map<String, Tensor> got, Digest gotDigest) {
    Receipt r = bundle.receipt().receipt().receipt();
    if (!bundle.outputs().isEmpty()) {
      String d = firstDifference(bundle.outputs(), got, false);
      if (d != null) {
        return d;
      }
    }
    return "output differs: the receipt's output digest is "
        + r.outputDigest()
        + ", re-execution gives "
        + gotDigest;
  }

  /** The first difference between claimed and re-executed outputs, or null if none. */
  static String firstDifference(
      Map<String, Tensor> claimed, Map<String, Tensor> got, boolean tolerance) {
    if (!claimed.keySet().equals(got.keySet())) {
      return "output differs: the receipt's outputs are "
          + new TreeSet<>(claimed.keySet())
          + ", re-execution gives "
          + new TreeSet<>(got.keySet());
    }
    for (String name : new TreeSet<>(claimed.keySet())) {
      Tensor a = claimed.get(name);
      Tensor b = got.get(name);
      if (a.type() != b.type() || !Arrays.equals(a.shape(), b.shape())) {
        return "output differs at tensor '"
            + name
            + "': receipt has "
            + a.type()
            + Arrays.toString(a.shape())
            + ", re-execution gives "
            + b.type()
            + Arrays.toString(b.shape());
      }
      ByteBuffer x = a.buffer().order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer y = b.buffer().order(ByteOrder.LITTLE_ENDIAN);
      int size = a.type().byteSize();
      for (long i = 0; i < a.elementCount(); i++) {
        int off = (int) (i * size);
        boolean same;
        String va;
        String vb;
        if (tolerance && (a.type() == DataType.FLOAT32 || a.type() == DataType.FLOAT64)) {
          double p = a.type() == DataType.FLOAT32 ? x.getFloat(off) : x.getDouble(off);
          double q = b.type() == DataType.FLOAT32 ? y.getFloat(off) : y.getDouble(off);
          same = Math.abs(p - q) <= ABS_TOL + REL_TOL * Math.abs(p) || (p == q);
          va = Double.toString(p);
          vb = Double.toString(q);
        } else {
          same = x.slice(off, size).equals(y.slice(off, size));
          va = element(a, x, off);
          vb = element(b, y, off);
        }
        if (!same) {
          return "output differs at tensor '"
              + name
              + "' element "
              + i
              + ": receipt has "
              + va
              + ", re-execution gives "
              + vb
              + (tolerance ? " (beyond the tolerance)" : "");
        }
      }
    }
    return null;
  }

  private static String element(Tensor t, ByteBuffer b, int off) {
    return switch (t.type()) {
      case FLOAT32 -> Float.toString(b.getFloat(off));
      case FLOAT64 -> Double.toString(b.getDouble(off));
      case INT64, UINT64 -> Long.toString(b.getLong(off));
      case INT32, UINT32 -> Integer.toString(b.getInt(off));
      default -> Byte.toString(b.get(off));
    };
  }
}

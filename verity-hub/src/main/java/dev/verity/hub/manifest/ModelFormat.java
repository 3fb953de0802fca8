package dev.verity.hub.manifest;

import dev.verity.core.FormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The file format of a model, as written in the manifest's {@code format} field. */
public enum ModelFormat {
  ONNX("onnx"),
  LLAMA2C("llama2c"),
  GGUF("gguf"),
  OTHER("other");

  private final String id;

  ModelFormat(String id) {
    this.id = id;
  }

  /** The manifest spelling: {@code onnx}, {@code llama2c}, {@code gguf} or {@code other}. */
  public String id() {
    return id;
  }

  public static ModelFormat parse(String id) throws FormatException {
    for (ModelFormat f : values()) {
      if (f.id.equals(id)) {
        return f;
      }
    }
    throw new FormatException(
        "unknown model format '" + id + "'; expected one of onnx, llama2c, gguf, other");
  }

  /**
   * Detects the format of a model from its files: any file with GGUF magic makes it {@code gguf};
   * any {@code .onnx} file makes it {@code onnx}; a {@code .bin} file whose header is a plausible
   * llama2.c config (seven positive little-endian int32 values in sane ranges) makes it {@code
   * llama2c}; otherwise {@code other}.
   */
  public static ModelFormat detect(List<Path> files) throws IOException {
    boolean onnx = false;
    boolean llama2c = false;
    for (Path f : files) {
      byte[] head = readHead(f, 28);
      if (head.length >= 4
          && head[0] == 'G'
          && head[1] == 'G'
          && head[2] == 'U'
          && head[3] == 'F') {
        return GGUF;
      }
      String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".gguf")) {
        return GGUF;
      }
      if (name.endsWith(".onnx")) {
        onnx = true;
      } else if (name.endsWith(".bin") && looksLikeLlama2c(head)) {
        llama2c = true;
      }
    }
    return onnx ? ONNX : llama2c ? LLAMA2C : OTHER;
  }

  private static boolean looksLikeLlama2c(byte[] head) {
    if (head.length < 28) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
    int dim = b.getInt();
    int hidden = b.getInt();
    int layers = b.getInt();
    int heads = b.getInt();
    int kvHeads = b.getInt();
    int vocab = Math.abs(b.getInt()); // negative vocab marks unshared classifier weights
    int seqLen = b.getInt();
    return dim > 0
        && dim <= 1 << 16
        && hidden > 0
        && hidden <= 1 << 18
        && layers > 0
        && layers <= 1024
        && heads > 0
        && heads <= dim
        && dim % heads == 0
        && kvHeads > 0
        && kvHeads <= heads
        && vocab > 0
        && vocab <= 1 << 20
        && seqLen > 0
        && seqLen <= 1 << 20;
  }

  private static byte[] readHead(Path f, int n) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      return in.readNBytes(n);
    }
  }
}

package dev.verity.cli.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.verity.cli.CliException;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Reads {@code verity infer} inputs: JSON tensors ({@code {name: {dtype, shape, data}}}), or a
 * grayscale image (binary or ASCII PGM, or PNG) as one float32 tensor {@code [1, 1, H, W]} of raw
 * 0–255 pixel values, sent as the model's only input.
 */
public final class InputFiles {
  /** Stands for the model's only input; the node substitutes the real name. */
  public static final String ANY_INPUT = "_";

  static final long MAX_BYTES = 1L << 30;

  private InputFiles() {}

  public static Map<String, Tensor> parse(byte[] content, String source) {
    if (content.length >= 2 && content[0] == 'P' && (content[1] == '5' || content[1] == '2')) {
      return Map.of(ANY_INPUT, pgm(content, source));
    }
    if (content.length >= 8 && (content[0] & 0xff) == 0x89 && content[1] == 'P') {
      return Map.of(ANY_INPUT, png(content, source));
    }
    JsonNode n;
    try {
      n = new ObjectMapper().readTree(content);
    } catch (IOException e) {
      throw new CliException(
          source + " is neither JSON tensors nor a PGM/PNG image: " + e.getMessage());
    }
    try {
      return TensorJson.parseMap(n, "input", MAX_BYTES);
    } catch (IllegalArgumentException e) {
      throw new CliException(source + ": " + e.getMessage());
    }
  }

  static Tensor pgm(byte[] b, String source) {
    // Header: magic, width, height, maxval, separated by whitespace, '#' comments allowed.
    int[] pos = {2};
    int w = headerInt(b, pos, source);
    int h = headerInt(b, pos, source);
    int max = headerInt(b, pos, source);
    if (w <= 0 || h <= 0 || w > 4096 || h > 4096 || max <= 0 || max > 255) {
      throw new CliException(
          source
              + ": PGM must be 1..4096 pixels per side with maxval 1..255, got "
              + w
              + "x"
              + h
              + " maxval "
              + max);
    }
    float[] px = new float[w * h];
    if (b[1] == '5') {
      int start = pos[0] + 1;
      if (b.length - start < px.length) {
        throw new CliException(
            source + ": PGM has " + (b.length - start) + " pixel bytes, needs " + px.length);
      }
      for (int i = 0; i < px.length; i++) {
        px[i] = b[start + i] & 0xff;
      }
    } else {
      for (int i = 0; i < px.length; i++) {
        px[i] = headerInt(b, pos, source);
      }
    }
    return Tensor.ofFloats(new long[] {1, 1, h, w}, px);
  }

  private static int headerInt(byte[] b, int[] pos, String source) {
    int i = pos[0];
    while (i < b.length) {
      if (b[i] == '#') {
        while (i < b.length && b[i] != '\n') {
          i++;
        }
      } else if (Character.isWhitespace(b[i])) {
        i++;
      } else {
        break;
      }
    }
    int start = i;
    while (i < b.length && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    if (i == start || i - start > 6) {
      throw new CliException(source + ": malformed PGM header or pixel at byte " + start);
    }
    pos[0] = i;
    return Integer.parseInt(new String(b, start, i - start, StandardCharsets.US_ASCII));
  }

  static Tensor png(byte[] b, String source) {
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(b));
    } catch (IOException e) {
      throw new CliException(source + ": unreadable PNG: " + e.getMessage());
    }
    if (img == null || img.getWidth() > 4096 || img.getHeight() > 4096) {
      throw new CliException(source + ": unreadable PNG or larger than 4096 pixels per side");
    }
    BufferedImage gray =
        new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    gray.getGraphics().drawImage(img, 0, 0, null);
    int w = img.getWidth();
    int h = img.getHeight();
    float[] px = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        px[y * w + x] = gray.getRaster().getSample(x, y, 0);
      }
    }
    return Tensor.ofFloats(new long[] {1, 1, h, w}, px);
  }
}

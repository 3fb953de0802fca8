package dev.verity.node.openai;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The input and output digests of an LLM receipt. Exact bytes (all integers big-endian), see
 * docs/OPENAI_RECEIPTS.md:
 *
 * <pre>
 * input  = SHA-256("verity-llm-input/v1" || 0x00
 *                  || u32 promptCount || promptCount × u32 tokenId
 *                  || u32 maxTokens || f32 temperature bits || f32 topP bits || u64 seed
 *                  || u32 stopCount || stopCount × (u32 byteLength || UTF-8 bytes))
 * output = SHA-256("verity-llm-output/v1" || 0x00
 *                  || u32 completionCount || completionCount × u32 tokenId)
 * </pre>
 */
final class LlmDigests {
  static final String INPUT_DOMAIN = "verity-llm-input/v1";
  static final String OUTPUT_DOMAIN = "verity-llm-output/v1";

  private LlmDigests() {}

  static Bytes inputBytes(
      List<Integer> promptTokens,
      int maxTokens,
      float temperature,
      float topP,
      long seed,
      List<String> stop) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.write(INPUT_DOMAIN.getBytes(StandardCharsets.US_ASCII));
      out.write(0);
      out.writeInt(promptTokens.size());
      for (int t : promptTokens) {
        out.writeInt(t);
      }
      out.writeInt(maxTokens);
      out.writeInt(Float.floatToRawIntBits(temperature));
      out.writeInt(Float.floatToRawIntBits(topP));
      out.writeLong(seed);
      out.writeInt(stop.size());
      for (String s : stop) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Bytes.copyOf(buf.toByteArray());
  }

  static Bytes outputBytes(List<Integer> completionTokens) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.write(OUTPUT_DOMAIN.getBytes(StandardCharsets.US_ASCII));
      out.write(0);
      out.writeInt(completionTokens.size());
      for (int t : completionTokens) {
        out.writeInt(t);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Bytes.copyOf(buf.toByteArray());
  }

  static Digest input(
      List<Integer> promptTokens,
      int maxTokens,
      float temperature,
      float topP,
      long seed,
      List<String> stop) {
    return Digest.of(inputBytes(promptTokens, maxTokens, temperature, topP, seed, stop));
  }

  static Digest output(List<Integer> completionTokens) {
    return Digest.of(outputBytes(completionTokens));
  }
}

package dev.verity.llm.tokenizer;

import dev.verity.engine.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads llama2.c tokenizer files: int32 max_token_length, then per token a float32 score, an int32
 * byte length and the bytes, all little-endian. BOS is token 1 and EOS token 2, as in llama2.c.
 */
public final class Llama2cTokenizerFile {
  private static final long MAX_FILE_BYTES = 256L << 20;

  private Llama2cTokenizerFile() {}

  public static Tokenizer read(Path file, int vocabSize) throws ModelLoadException {
    byte[] data;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ModelLoadException(
            "tokenizer " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
      }
      data = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read tokenizer " + file + ": " + e, e);
    }
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    try {
      int maxLen = b.getInt();
      if (maxLen <= 0 || maxLen > Tokenizer.MAX_TOKEN_BYTES) {
        throw new ModelLoadException("tokenizer " + file + " declares max_token_length " + maxLen);
      }
      List<byte[]> vocab = new ArrayList<>(vocabSize);
      float[] scores = new float[vocabSize];
      for (int i = 0; i < vocabSize; i++) {
        scores[i] = b.getFloat();
        int len = b.getInt();
        if (len < 0 || len > maxLen) {
          throw new ModelLoadException(
              "tokenizer " + file + ": token " + i + " has length " + len + ", max " + maxLen);
        }
        byte[] t = new byte[len];
        b.get(t);
        vocab.add(t);
      }
      if (b.hasRemaining()) {
        throw new ModelLoadException(
            "tokenizer "
                + file
                + " has "
                + b.remaining()
                + " bytes after the "
                + vocabSize
                + " tokens the model expects");
      }
      if (vocabSize < 3) {
        throw new ModelLoadException("tokenizer " + file + " needs at least 3 tokens");
      }
      return new Tokenizer(vocab, scores, 1, 2);
    } catch (java.nio.BufferUnderflowException e) {
      throw new ModelLoadException(
          "tokenizer " + file + " ends before its " + vocabSize + " tokens are complete", e);
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException("tokenizer " + file + ": " + e.getMessage(), e);
    }
  }
}

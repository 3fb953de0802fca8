package dev.verity.llm;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns token bytes into text incrementally: complete UTF-8 sequences are emitted at once, an
 * incomplete trailing sequence waits for the next token, malformed bytes become U+FFFD.
 */
final class Utf8Stream {
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private ByteBuffer pending = ByteBuffer.allocate(64);
  private CharBuffer chars = CharBuffer.allocate(64);

  String push(byte[] bytes) {
    return decode(bytes, false);
  }

  String finish() {
    return decode(new byte[0], true);
  }

  private String decode(byte[] bytes, boolean end) {
    if (pending.remaining() < bytes.length) {
      ByteBuffer bigger = ByteBuffer.allocate(pending.position() + bytes.length + 64);
      pending.flip();
      bigger.put(pending);
      pending = bigger;
    }
    pending.put(bytes);
    pending.flip();
    if (chars.capacity() < pending.remaining() + 8) {
      chars = CharBuffer.allocate(pending.remaining() + 64);
    }
    chars.clear();
    decoder.decode(pending, chars, end);
    if (end) {
      decoder.flush(chars);
      decoder.reset();
    }
    pending.compact();
    chars.flip();
    return chars.toString();
  }
}

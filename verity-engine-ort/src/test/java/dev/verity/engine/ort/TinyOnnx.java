package dev.verity.engine.ort;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes minimal single-node ONNX models (protobuf by hand, field numbers from onnx.proto) so tests
 * can exercise every element type and malformed graphs without checked-in binaries.
 */
final class TinyOnnx {
  private TinyOnnx() {}

  /** A dimension: a {@link Long} fixed size or a {@link String} symbolic name. */
  static Path singleNode(
      Path dir, String file, String opType, int elemType, List<Object> dims, int opset)
      throws IOException {
    byte[] type = typeProto(elemType, dims);
    Msg node = new Msg().str(1, "x").str(2, "y").str(4, opType);
    Msg graph =
        new Msg()
            .msg(1, node)
            .str(2, "g")
            .msg(11, new Msg().str(1, "x").bytes(2, type))
            .msg(12, new Msg().str(1, "y").bytes(2, type));
    Msg model = new Msg().varint(1, 8).msg(8, new Msg().str(1, "").varint(2, opset)).msg(7, graph);
    Path p = dir.resolve(file);
    Files.write(p, model.bytes());
    return p;
  }

  /**
   * A model whose only node is Identity on a float[4] initializer stored as external data at {@code
   * location} (relative to the model file, as ONNX specifies).
   */
  static Path externalInitializer(Path dir, String file, String location) throws IOException {
    Msg init =
        new Msg()
            .varint(1, 4)
            .varint(2, 1)
            .str(8, "w")
            .msg(13, new Msg().str(1, "location").str(2, location))
            .msg(13, new Msg().str(1, "length").str(2, "16"))
            .varint(14, 1); // data_location = EXTERNAL
    Msg graph =
        new Msg()
            .msg(1, new Msg().str(1, "w").str(2, "y").str(4, "Identity"))
            .str(2, "g")
            .msg(5, init)
            .msg(12, new Msg().str(1, "y").bytes(2, typeProto(1, List.of(4L))));
    Msg model = new Msg().varint(1, 8).msg(8, new Msg().str(1, "").varint(2, 13)).msg(7, graph);
    Path p = dir.resolve(file);
    Files.write(p, model.bytes());
    return p;
  }

  private static byte[] typeProto(int elemType, List<Object> dims) {
    Msg shape = new Msg();
    for (Object d : dims) {
      shape.msg(1, d instanceof String s ? new Msg().str(2, s) : new Msg().varint(1, (Long) d));
    }
    Msg tensor = new Msg().varint(1, elemType).msg(2, shape);
    return new Msg().msg(1, tensor).bytes();
  }

  /** A protobuf message under construction. */
  static final class Msg {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Msg varint(int field, long value) {
      tag(field, 0);
      raw(value);
      return this;
    }

    Msg str(int field, String s) {
      return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Msg msg(int field, Msg m) {
      return bytes(field, m.bytes());
    }

    Msg bytes(int field, byte[] b) {
      tag(field, 2);
      raw(b.length);
      out.writeBytes(b);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private void tag(int field, int wire) {
      raw(((long) field << 3) | wire);
    }

    private void raw(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }
  }
}

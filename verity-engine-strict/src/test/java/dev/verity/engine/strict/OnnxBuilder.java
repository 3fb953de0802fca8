package dev.verity.engine.strict;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes small ONNX models in protobuf wire format for tests (field numbers from onnx.proto). */
final class OnnxBuilder {
  private final ByteArrayOutputStream graph = new ByteArrayOutputStream();
  private long opset = 13;

  OnnxBuilder opset(long v) {
    opset = v;
    return this;
  }

  static void varint(ByteArrayOutputStream o, long v) {
    while ((v & ~0x7fL) != 0) {
      o.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    o.write((int) v);
  }

  static void tag(ByteArrayOutputStream o, int field, int wt) {
    varint(o, ((long) field << 3) | wt);
  }

  static void bytes(ByteArrayOutputStream o, int field, byte[] b) {
    tag(o, field, 2);
    varint(o, b.length);
    o.writeBytes(b);
  }

  static void str(ByteArrayOutputStream o, int field, String s) {
    bytes(o, field, s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] intAttr(String name, long v) {
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    str(a, 1, name);
    tag(a, 3, 0);
    varint(a, v);
    tag(a, 20, 0);
    varint(a, 2);
    return a.toByteArray();
  }

  static byte[] intsAttr(String name, long... v) {
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    str(a, 1, name);
    for (long x : v) {
      tag(a, 8, 0);
      varint(a, x);
    }
    tag(a, 20, 0);
    varint(a, 7);
    return a.toByteArray();
  }

  OnnxBuilder node(String name, String op, String[] in, String[] out, byte[]... attrs) {
    ByteArrayOutputStream n = new ByteArrayOutputStream();
    for (String i : in) {
      str(n, 1, i);
    }
    for (String o : out) {
      str(n, 2, o);
    }
    str(n, 3, name);
    str(n, 4, op);
    for (byte[] a : attrs) {
      bytes(n, 5, a);
    }
    bytes(graph, 1, n.toByteArray());
    return this;
  }

  static byte[] strAttr(String name, String v) {
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    str(a, 1, name);
    str(a, 4, v);
    tag(a, 20, 0);
    varint(a, 3);
    return a.toByteArray();
  }

  static byte[] longTensor(String name, long[] dims, long[] values) {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    for (long d : dims) {
      tag(t, 1, 0);
      varint(t, d);
    }
    tag(t, 2, 0);
    varint(t, 7);
    str(t, 8, name);
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    bytes(t, 9, b.array());
    return t.toByteArray();
  }

  OnnxBuilder longInitializer(String name, long[] dims, long[] values) {
    bytes(graph, 5, longTensor(name, dims, values));
    return this;
  }

  static byte[] floatTensor(String name, long[] dims, float[] values) {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    for (long d : dims) {
      tag(t, 1, 0);
      varint(t, d);
    }
    tag(t, 2, 0);
    varint(t, 1);
    str(t, 8, name);
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    bytes(t, 9, b.array());
    return t.toByteArray();
  }

  OnnxBuilder initializer(String name, long[] dims, float[] values) {
    bytes(graph, 5, floatTensor(name, dims, values));
    return this;
  }

  /** Adds a raw initializer TensorProto (for hostile-model tests). */
  OnnxBuilder rawInitializer(byte[] tensorProto) {
    bytes(graph, 5, tensorProto);
    return this;
  }

  static byte[] valueInfo(String name, int elemType, long... dims) {
    ByteArrayOutputStream shape = new ByteArrayOutputStream();
    for (long d : dims) {
      ByteArrayOutputStream dim = new ByteArrayOutputStream();
      tag(dim, 1, 0);
      varint(dim, d);
      bytes(shape, 1, dim.toByteArray());
    }
    ByteArrayOutputStream tt = new ByteArrayOutputStream();
    tag(tt, 1, 0);
    varint(tt, elemType);
    bytes(tt, 2, shape.toByteArray());
    ByteArrayOutputStream tp = new ByteArrayOutputStream();
    bytes(tp, 1, tt.toByteArray());
    ByteArrayOutputStream vi = new ByteArrayOutputStream();
    str(vi, 1, name);
    bytes(vi, 2, tp.toByteArray());
    return vi.toByteArray();
  }

  OnnxBuilder input(String name, long... dims) {
    bytes(graph, 11, valueInfo(name, 1, dims));
    return this;
  }

  OnnxBuilder output(String name, long... dims) {
    bytes(graph, 12, valueInfo(name, 1, dims));
    return this;
  }

  byte[] build() {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    tag(m, 1, 0);
    varint(m, 8);
    ByteArrayOutputStream os = new ByteArrayOutputStream();
    str(os, 1, "");
    tag(os, 2, 0);
    varint(os, opset);
    bytes(m, 8, os.toByteArray());
    str(m, 2, "verity-test");
    bytes(m, 7, graph.toByteArray());
    return m.toByteArray();
  }

  /** The fixed three-node model of the trace golden vectors: y = Relu(x·W + b). */
  static byte[] goldenModel() {
    return new OnnxBuilder()
        .initializer("W", new long[] {2, 2}, new float[] {0.5f, -1.0f, 0.25f, 2.0f})
        .initializer("b", new long[] {2}, new float[] {0.125f, -0.5f})
        .input("x", 1, 2)
        .node("mm", "MatMul", new String[] {"x", "W"}, new String[] {"h"})
        .node("add", "Add", new String[] {"h", "b"}, new String[] {"z"})
        .node("relu", "Relu", new String[] {"z"}, new String[] {"y"})
        .output("y", 1, 2)
        .build();
  }
}

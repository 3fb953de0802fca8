package dev.verity.engine.strict.onnx;

import dev.verity.engine.strict.ops.Nd;
import java.util.List;

/** {@code AttributeProto}: only the member selected by {@code type} is meaningful. */
public final class Attribute {
  public static final int FLOAT = 1;
  public static final int INT = 2;
  public static final int STRING = 3;
  public static final int TENSOR = 4;
  public static final int GRAPH = 5;
  public static final int FLOATS = 6;
  public static final int INTS = 7;
  public static final int STRINGS = 8;

  public final String name;
  public final int type;
  public final float f;
  public final long i;
  public final String s;
  public final Nd t;
  private final float[] floats;
  private final long[] ints;
  public final List<String> strings;

  Attribute(
      String name,
      int type,
      float f,
      long i,
      String s,
      Nd t,
      float[] floats,
      long[] ints,
      List<String> strings) {
    this.name = name;
    this.type = type;
    this.f = f;
    this.i = i;
    this.s = s;
    this.t = t;
    this.floats = floats;
    this.ints = ints;
    this.strings = List.copyOf(strings);
  }

  public float[] floats() {
    return floats.clone();
  }

  public long[] ints() {
    return ints.clone();
  }
}

package dev.verity.engine.strict.ops;

import dev.verity.engine.strict.onnx.Attribute;
import java.util.Map;

/** Typed attribute access for one node, with load-time errors that name the node. */
public final class Attrs {
  private final Map<String, Attribute> map;
  private final String label;

  public Attrs(Map<String, Attribute> map, String label) {
    this.map = map;
    this.label = label;
  }

  public boolean has(String name) {
    return map.containsKey(name);
  }

  public long i(String name, long dflt) {
    Attribute a = map.get(name);
    return a == null ? dflt : a.i;
  }

  public int iInt(String name, long dflt) {
    long v = i(name, dflt);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(label + ": attribute " + name + "=" + v + " out of range");
    }
    return (int) v;
  }

  public float f(String name, float dflt) {
    Attribute a = map.get(name);
    return a == null ? dflt : a.f;
  }

  public String s(String name, String dflt) {
    Attribute a = map.get(name);
    return a == null ? dflt : a.s;
  }

  public long[] ints(String name) {
    Attribute a = map.get(name);
    return a == null ? null : a.ints();
  }

  public float[] floats(String name) {
    Attribute a = map.get(name);
    return a == null ? null : a.floats();
  }

  public Nd t(String name) {
    Attribute a = map.get(name);
    return a == null ? null : a.t;
  }

  public Attribute raw(String name) {
    return map.get(name);
  }

  public String label() {
    return label;
  }
}

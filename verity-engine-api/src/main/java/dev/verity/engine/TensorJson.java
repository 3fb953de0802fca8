package dev.verity.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Tensors as JSON: {@code {"dtype": "float32", "shape": [1, 1, 28, 28], "data": ...}} where {@code
 * data} is either a flat row-major array of JSON numbers (floats may also be the strings {@code
 * "NaN"}, {@code "Infinity"}, {@code "-Infinity"}; booleans may be {@code true}/{@code false}) or
 * one base64 string of the little-endian element bytes, the exact bytes the canonical tensor
 * encoding hashes. Type names are the lower-case {@link DataType} names ({@code float32}, {@code
 * int64}, {@code uint8}, ...). Errors name the tensor and the problem.
 */
public final class TensorJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private TensorJson() {}

  public static String dtypeName(DataType t) {
    return t.name().toLowerCase(Locale.ROOT);
  }

  public static DataType dtype(String name, String where) {
    for (DataType t : DataType.values()) {
      if (dtypeName(t).equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        where + ": unknown dtype '" + name + "' (use float32, int64, uint8, ...)");
  }

  /** Parses {@code {name: tensor, ...}}; insertion order is kept. */
  public static Map<String, Tensor> parseMap(JsonNode node, String what, long maxBytes) {
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw new IllegalArgumentException(
          what + " must be a non-empty object of named tensors {name: {dtype, shape, data}}");
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    long total = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Tensor t = parse(e.getValue(), what + " '" + e.getKey() + "'", maxBytes - total);
      total += t.data().length;
      out.put(e.getKey(), t);
    }
    return out;
  }

  /** Parses one tensor; {@code where} names it in errors. */
  public static Tensor parse(JsonNode n, String where, long maxBytes) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(where + " must be an object {dtype, shape, data}");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data") && !k.equals("digest")) {
        throw new IllegalArgumentException(where + ": unknown field '" + k + "'");
      }
    }
    JsonNode dt = n.get("dtype");
    if (dt == null || !dt.isTextual()) {
      throw new IllegalArgumentException(where + ": 'dtype' must be a string such as \"float32\"");
    }
    DataType type = dtype(dt.textValue(), where);
    JsonNode sh = n.get("shape");
    if (sh == null || !sh.isArray() || sh.size() > 255) {
      throw new IllegalArgumentException(
          where + ": 'shape' must be an array of at most 255 dimensions");
    }
    long[] shape = new long[sh.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = sh.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new IllegalArgumentException(
            where + ": shape[" + i + "] must be a non-negative integer");
      }
      shape[i] = d.asLong();
      try {
        count = Math.multiplyExact(count, shape[i]);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(where + ": shape overflows");
      }
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(count, (long) type.byteSize());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(where + ": shape overflows");
    }
    if (bytes > maxBytes || bytes > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          where + ": " + bytes + " bytes of tensor data exceed the limit of " + maxBytes);
    }
    JsonNode data = n.get("data");
    if (data == null) {
      throw new IllegalArgumentException(where + ": 'data' is missing");
    }
    byte[] raw;
    if (data.isTextual()) {
      try {
        raw = Base64.getDecoder().decode(data.textValue());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": 'data' is not valid base64");
      }
      if (raw.length != bytes) {
        throw new IllegalArgumentException(
            where + ": base64 'data' has " + raw.length + " bytes, shape and dtype need " + bytes);
      }
    } else if (data.isArray()) {
      if (data.size() != count) {
        throw new IllegalArgumentException(
            where + ": 'data' has " + data.size() + " elements, shape needs " + count);
      }
      ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < count; i++) {
        put(b, type, data.get(i), where + " element " + i);
      }
      raw = b.array();
    } else {
      throw new IllegalArgumentException(
          where + ": 'data' must be an array of numbers or a base64 string");
    }
    return Tensor.ofBytes(type, shape, raw);
  }

  private static void put(ByteBuffer b, DataType type, JsonNode v, String where) {
    switch (type) {
      case FLOAT32 -> b.putFloat((float) real(v, where));
      case FLOAT64 -> b.putDouble(real(v, where));
      case FLOAT16 -> b.putShort(Float.floatToFloat16((float) real(v, where)));
      case BOOL -> {
        if (v.isBoolean()) {
          b.put((byte) (v.booleanValue() ? 1 : 0));
        } else {
          b.put((byte) integer(v, where, 0, 1));
        }
      }
      case INT8 -> b.put((byte) integer(v, where, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case UINT8 -> b.put((byte) integer(v, where, 0, 255));
      case INT16 -> b.putShort((short) integer(v, where, Short.MIN_VALUE, Short.MAX_VALUE));
      case UINT16 -> b.putShort((short) integer(v, where, 0, 65535));
      case INT32 -> b.putInt((int) integer(v, where, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case UINT32 -> b.putInt((int) integer(v, where, 0, 0xffffffffL));
      case INT64 -> b.putLong(integer(v, where, Long.MIN_VALUE, Long.MAX_VALUE));
      case UINT64 -> {
        if (!v.isIntegralNumber()) {
          throw new IllegalArgumentException(where + " must be an integer");
        }
        BigInteger x = v.bigIntegerValue();
        if (x.signum() < 0 || x.bitLength() > 64) {
          throw new IllegalArgumentException(where + " is out of range for uint64");
        }
        b.putLong(x.longValue());
      }
    }
  }

  private static double real(JsonNode v, String where) {
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isTextual()) {
      switch (v.textValue()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw new IllegalArgumentException(where + " must be a number");
  }

  private static long integer(JsonNode v, String where, long min, long max) {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException(where + " must be an integer");
    }
    long x = v.longValue();
    if (x < min || x > max) {
      throw new IllegalArgumentException(where + " is out of range [" + min + ", " + max + "]");
    }
    return x;
  }

  /** A tensor as JSON, data as numbers (or as base64 when {@code base64}). */
  public static ObjectNode toJson(Tensor t, boolean base64) {
    ObjectNode o = F.objectNode();
    o.put("dtype", dtypeName(t.type()));
    ArrayNode sh = o.putArray("shape");
    for (long d : t.shape()) {
      sh.add(d);
    }
    if (base64) {
      o.put("data", Base64.getEncoder().encodeToString(t.data()));
      return o;
    }
    ArrayNode data = o.putArray("data");
    ByteBuffer b = t.buffer().order(ByteOrder.LITTLE_ENDIAN);
    long n = t.elementCount();
    for (long i = 0; i < n; i++) {
      switch (t.type()) {
        case FLOAT32 -> addReal(data, b.getFloat(), true);
        case FLOAT64 -> addReal(data, b.getDouble(), false);
        case FLOAT16 -> addReal(data, Float.float16ToFloat(b.getShort()), true);
        case BOOL -> data.add(b.get() != 0);
        case INT8 -> data.add(b.get());
        case UINT8 -> data.add(b.get() & 0xff);
        case INT16 -> data.add(b.getShort());
        case UINT16 -> data.add(b.getShort() & 0xffff);
        case INT32 -> data.add(b.getInt());
        case UINT32 -> data.add(b.getInt() & 0xffffffffL);
        case INT64 -> data.add(b.getLong());
        case UINT64 -> data.add(new BigInteger(Long.toUnsignedString(b.getLong())));
      }
    }
    return o;
  }

  private static void addReal(ArrayNode a, double v, boolean single) {
    if (Double.isNaN(v)) {
      a.add("NaN");
    } else if (Double.isInfinite(v)) {
      a.add(v > 0 ? "Infinity" : "-Infinity");
    } else if (single) {
      a.add((float) v);
    } else {
      a.add(v);
    }
  }

  public static ObjectNode toJson(Map<String, Tensor> tensors, boolean base64) {
    ObjectNode o = F.objectNode();
    tensors.forEach((k, v) -> o.set(k, toJson(v, base64)));
    return o;
  }
}

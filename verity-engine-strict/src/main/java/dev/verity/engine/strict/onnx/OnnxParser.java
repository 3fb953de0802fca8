package dev.verity.engine.strict.onnx;

import dev.verity.engine.DataType;
import dev.verity.engine.strict.ops.Nd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ONNX model bytes (protobuf wire format) into {@link OnnxModel}. Allocation is bounded by
 * the file: every length is checked against the enclosing message and every tensor against the
 * caller's byte budget before its array is created. Sub-graphs (If/Loop bodies) are skipped, not
 * parsed, so nesting depth is fixed.
 */
public final class OnnxParser {
  private static final int MAX_NODES = 1_000_000;
  private static final int MAX_RANK = 64;

  private final long maxTensorBytes;
  private long remainingBytes;

  private OnnxParser(long maxTensorBytes, long maxTotalBytes) {
    this.maxTensorBytes = maxTensorBytes;
    this.remainingBytes = maxTotalBytes;
  }

  /** Parses a model; initializers count against {@code maxTotalBytes}. */
  public static OnnxModel parse(byte[] bytes, long maxTensorBytes, long maxTotalBytes)
      throws ProtoException {
    return new OnnxParser(maxTensorBytes, maxTotalBytes)
        .model(new ProtoReader(bytes, 0, bytes.length));
  }

  /** Parses one serialized {@code TensorProto} (as in ONNX test data input_N.pb files). */
  public static Nd parseTensor(byte[] bytes, long maxTensorBytes) throws ProtoException {
    OnnxParser p = new OnnxParser(maxTensorBytes, maxTensorBytes);
    return p.tensor(new ProtoReader(bytes, 0, bytes.length), "tensor").value;
  }

  /** Name stored in a serialized {@code TensorProto}. */
  public static String tensorName(byte[] bytes) throws ProtoException {
    OnnxParser p = new OnnxParser(Long.MAX_VALUE, Long.MAX_VALUE);
    return p.tensor(new ProtoReader(bytes, 0, bytes.length), "tensor").name;
  }

  private OnnxModel model(ProtoReader r) throws ProtoException {
    long ir = 0;
    Map<String, Long> opsets = new LinkedHashMap<>();
    OnnxModel.Graph graph = null;
    while (r.hasMore()) {
      int tag = r.readTag();
      switch (tag >>> 3) {
        case 1 -> {
          expect(tag, ProtoReader.VARINT, "ModelProto.ir_version");
          ir = r.readVarint();
        }
        case 8 -> {
          expect(tag, ProtoReader.LEN, "ModelProto.opset_import");
          ProtoReader o = r.readMessage();
          String domain = "";
          long version = 0;
          while (o.hasMore()) {
            int t = o.readTag();
            if (t >>> 3 == 1 && (t & 7) == ProtoReader.LEN) {
              domain = o.readString();
            } else if (t >>> 3 == 2 && (t & 7) == ProtoReader.VARINT) {
              version = o.readVarint();
            } else {
              o.skip(t);
            }
          }
          opsets.put(domain, version);
        }
        case 7 -> {
          expect(tag, ProtoReader.LEN, "ModelProto.graph");
          graph = graph(r.readMessage());
        }
        default -> r.skip(tag);
      }
    }
    if (graph == null) {
      throw new ProtoException("model has no graph");
    }
    return new OnnxModel(ir, opsets, graph);
  }

  private OnnxModel.Graph graph(ProtoReader r) throws ProtoException {
    String name = "";
    List<OnnxModel.Node> nodes = new ArrayList<>();
    Map<String, Nd> inits = new LinkedHashMap<>();
    List<OnnxModel.ValueInfo> inputs = new ArrayList<>();
    List<OnnxModel.ValueInfo> outputs = new ArrayList<>();
    while (r.hasMore()) {
      int tag = r.readTag();
      switch (tag >>> 3) {
        case 1 -> {
          expect(tag, ProtoReader.LEN, "GraphProto.node");
          if (nodes.size() >= MAX_NODES) {
            throw new ProtoException("graph has more than " + MAX_NODES + " nodes");
          }
          nodes.add(node(r.readMessage()));
        }
        case 2 -> {
          expect(tag, ProtoReader.LEN, "GraphProto.name");
          name = r.readString();
        }
        case 5 -> {
          expect(tag, ProtoReader.LEN, "GraphProto.initializer");
          Parsed t = tensor(r.readMessage(), "initializer");
          inits.put(t.name, t.value);
        }
        case 15 -> throw new ProtoException("sparse initializers are not supported");
        case 11 -> {
          expect(tag, ProtoReader.LEN, "GraphProto.input");
          inputs.add(valueInfo(r.readMessage()));
        }
        case 12 -> {
          expect(tag, ProtoReader.LEN, "GraphProto.output");
          outputs.add(valueInfo(r.readMessage()));
        }
        default -> r.skip(tag);
      }
    }
    return new OnnxModel.Graph(name, nodes, inits, inputs, outputs);
  }

  private OnnxModel.Node node(ProtoReader r) throws ProtoException {
    List<String> in = new ArrayList<>();
    List<String> out = new ArrayList<>();
    String name = "";
    String op = "";
    String domain = "";
    Map<String, Attribute> attrs = new LinkedHashMap<>();
    while (r.hasMore()) {
      int tag = r.readTag();
      switch (tag >>> 3) {
        case 1 -> in.add(str(r, tag, "NodeProto.input"));
        case 2 -> out.add(str(r, tag, "NodeProto.output"));
        case 3 -> name = str(r, tag, "NodeProto.name");
        case 4 -> op = str(r, tag, "NodeProto.op_type");
        case 7 -> domain = str(r, tag, "NodeProto.domain");
        case 5 -> {
          expect(tag, ProtoReader.LEN, "NodeProto.attribute");
          Attribute a = attribute(r.readMessage(), name, op);
          attrs.put(a.name, a);
        }
        default -> r.skip(tag);
      }
    }
    return new OnnxModel.Node(name, op, domain, in, out, attrs);
  }

  private Attribute attribute(ProtoReader r, String nodeName, String op) throws ProtoException {
    String name = "";
    int type = 0;
    float f = 0;
    long i = 0;
    String s = "";
    Nd t = null;
    FloatList floats = new FloatList();
    LongList ints = new LongList();
    List<String> strings = new ArrayList<>();
    boolean sawGraph = false;
    while (r.hasMore()) {
      int tag = r.readTag();
      switch (tag >>> 3) {
        case 1 -> name = str(r, tag, "AttributeProto.name");
        case 20 -> {
          expect(tag, ProtoReader.VARINT, "AttributeProto.type");
          type = (int) r.readVarint();
        }
        case 2 -> {
          expect(tag, ProtoReader.I32, "AttributeProto.f");
          f = r.readFloat();
        }
        case 3 -> {
          expect(tag, ProtoReader.VARINT, "AttributeProto.i");
          i = r.readVarint();
        }
        case 4 -> s = str(r, tag, "AttributeProto.s");
        case 5 -> {
          expect(tag, ProtoReader.LEN, "AttributeProto.t");
          t = tensor(r.readMessage(), "attribute tensor").value;
        }
        case 6, 11 -> {
          sawGraph = true;
          r.skip(tag);
        }
        case 7 -> readFloats(r, tag, floats);
        case 8 -> readVarints(r, tag, ints);
        case 9 -> strings.add(str(r, tag, "AttributeProto.strings"));
        case 10 ->
            throw new ProtoException(
                "attribute '"
                    + name
                    + "' of node '"
                    + nodeName
                    + "' ("
                    + op
                    + ") holds a tensor list, which is not supported");
        case 21 ->
            throw new ProtoException(
                "attribute references (ref_attr_name) are only valid inside functions");
        default -> r.skip(tag);
      }
    }
    if (type == 0) {
      // Old writers omit the discriminator; infer it from what is present.
      type =
          sawGraph
              ? Attribute.GRAPH
              : t != null
                  ? Attribute.TENSOR
                  : ints.size > 0
                      ? Attribute.INTS
                      : floats.size > 0
                          ? Attribute.FLOATS
                          : !strings.isEmpty()
                              ? Attribute.STRINGS
                              : !s.isEmpty()
                                  ? Attribute.STRING
                                  : f != 0 ? Attribute.FLOAT : Attribute.INT;
    }
    return new Attribute(name, type, f, i, s, t, floats.toArray(), ints.toArray(), strings);
  }

  private OnnxModel.ValueInfo valueInfo(ProtoReader r) throws ProtoException {
    String name = "";
    int elem = -1;
    List<Long> dims = new ArrayList<>();
    List<String> dimNames = new ArrayList<>();
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag >>> 3 == 1 && (tag & 7) == ProtoReader.LEN) {
        name = r.readString();
      } else if (tag >>> 3 == 2 && (tag & 7) == ProtoReader.LEN) {
        ProtoReader tp = r.readMessage();
        while (tp.hasMore()) {
          int t = tp.readTag();
          if (t >>> 3 == 1 && (t & 7) == ProtoReader.LEN) {
            ProtoReader tt = tp.readMessage();
            elem = 0;
            while (tt.hasMore()) {
              int u = tt.readTag();
              if (u >>> 3 == 1 && (u & 7) == ProtoReader.VARINT) {
                elem = (int) tt.readVarint();
              } else if (u >>> 3 == 2 && (u & 7) == ProtoReader.LEN) {
                ProtoReader sh = tt.readMessage();
                while (sh.hasMore()) {
                  int v = sh.readTag();
                  if (v >>> 3 == 1 && (v & 7) == ProtoReader.LEN) {
                    if (dims.size() >= MAX_RANK) {
                      throw new ProtoException("value '" + name + "' has rank over " + MAX_RANK);
                    }
                    ProtoReader dim = sh.readMessage();
                    long dv = -1;
                    String dn = "";
                    while (dim.hasMore()) {
                      int w = dim.readTag();
                      if (w >>> 3 == 1 && (w & 7) == ProtoReader.VARINT) {
                        dv = dim.readVarint();
                      } else if (w >>> 3 == 2 && (w & 7) == ProtoReader.LEN) {
                        dn = dim.readString();
                      } else {
                        dim.skip(w);
                      }
                    }
                    dims.add(dv);
                    dimNames.add(dn);
                  } else {
                    sh.skip(v);
                  }
                }
              } else {
                tt.skip(u);
              }
            }
          } else {
            tp.skip(t);
          }
        }
      } else {
        r.skip(tag);
      }
    }
    return new OnnxModel.ValueInfo(name, elem, dims, dimNames);
  }

  private record Parsed(String name, Nd value) {}

  private Parsed tensor(ProtoReader r, String what) throws ProtoException {
    LongList dims = new LongList();
    int dtype = 0;
    String name = "";
    int[] raw = null;
    List<int[]> typed = new ArrayList<>();
    int typedField = 0;
    boolean external = false;
    while (r.hasMore()) {
      int tag = r.readTag();
      int field = tag >>> 3;
      switch (field) {
        case 1 -> readVarints(r, tag, dims);
        case 2 -> {
          expect(tag, ProtoReader.VARINT, "TensorProto.data_type");
          dtype = (int) r.readVarint();
        }
        case 3 -> throw new ProtoException("segmented tensors are not supported");
        case 8 -> name = str(r, tag, "TensorProto.name");
        case 9 -> {
          expect(tag, ProtoReader.LEN, "TensorProto.raw_data");
          raw = r.readSpan();
        }
        case 4, 5, 7, 10, 11 -> {
          if (typedField != 0 && typedField != field) {
            throw new ProtoException("tensor '" + name + "' mixes typed data fields");
          }
          typedField = field;
          int start = r.position();
          r.skip(tag);
          typed.add(new int[] {tag, start, r.position()});
        }
        case 6 -> throw new ProtoException("string tensors are not supported");
        case 13 -> {
          external = true;
          r.skip(tag);
        }
        case 14 -> {
          expect(tag, ProtoReader.VARINT, "TensorProto.data_location");
          external |= r.readVarint() == 1;
        }
        default -> r.skip(tag);
      }
    }
    String label = what + " '" + name + "'";
    if (external) {
      throw new ProtoException(
          label
              + " stores its data externally; the strict engine only loads self-contained models");
    }
    DataType type;
    try {
      type = DataType.fromOnnxCode(dtype);
    } catch (IllegalArgumentException e) {
      throw new ProtoException(label + " has unsupported data type " + dtype);
    }
    if (!Nd.supported(type)) {
      throw new ProtoException(label + " has unsupported data type " + type);
    }
    if (dims.size > MAX_RANK) {
      throw new ProtoException(label + " has rank " + dims.size + " (max " + MAX_RANK + ")");
    }
    int[] shape = new int[dims.size];
    long count = 1;
    for (int k = 0; k < shape.length; k++) {
      long d = dims.a[k];
      if (d < 0 || d > Integer.MAX_VALUE) {
        throw new ProtoException(label + " has invalid dimension " + d);
      }
      shape[k] = (int) d;
      count = mulCapped(count, d);
    }
    long bytes = mulCapped(count, type.byteSize());
    if (bytes > maxTensorBytes || count > Integer.MAX_VALUE - 8) {
      throw new ProtoException(
          label
              + " of shape "
              + Arrays.toString(shape)
              + " needs "
              + bytes
              + " bytes, over the per-tensor limit of "
              + maxTensorBytes);
    }
    if (bytes > remainingBytes) {
      throw new ProtoException(label + " of " + bytes + " bytes exceeds the model memory budget");
    }
    remainingBytes -= bytes;
    if (raw != null) {
      if (raw[1] != bytes) {
        throw new ProtoException(
            label
                + " has "
                + raw[1]
                + " raw bytes, shape "
                + Arrays.toString(shape)
                + " needs "
                + bytes);
      }
      return new Parsed(name, Nd.fromLittleEndian(type, shape, r.array(), raw[0], raw[1]));
    }
    return new Parsed(name, typed(r, typed, type, shape, (int) count, label));
  }

  private Nd typed(
      ProtoReader parent, List<int[]> spans, DataType type, int[] shape, int n, String label)
      throws ProtoException {
    byte[] buf = parent.array();
    if (n == 0) {
      return Nd.zeros(type, shape);
    }
    if (spans.isEmpty()) {
      throw new ProtoException(label + " has no data");
    }
    int field = spans.get(0)[0] >>> 3;
    boolean floatField = field == 4;
    boolean doubleField = field == 10;
    LongList ls = new LongList();
    FloatList fs = new FloatList();
    double[] ds = doubleField ? new double[n] : null;
    int dn = 0;
    for (int[] sp : spans) {
      ProtoReader r = new ProtoReader(buf, sp[1], sp[2]);
      int tag = sp[0];
      if (floatField) {
        readFloats(r, tag, fs);
      } else if (doubleField) {
        if ((tag & 7) == ProtoReader.LEN) {
          ProtoReader p = r.readMessage();
          while (p.hasMore()) {
            if (dn >= n) {
              throw new ProtoException(label + " has more values than its shape holds");
            }
            ds[dn++] = Double.longBitsToDouble(p.readFixed64());
          }
        } else {
          if (dn >= n) {
            throw new ProtoException(label + " has more values than its shape holds");
          }
          ds[dn++] = Double.longBitsToDouble(r.readFixed64());
        }
      } else {
        readVarints(r, tag, ls);
      }
      if (fs.size > n || ls.size > n) {
        throw new ProtoException(label + " has more values than its shape holds");
      }
    }
    int got = floatField ? fs.size : doubleField ? dn : ls.size;
    if (got != n) {
      throw new ProtoException(
          label + " has " + got + " values, shape " + Arrays.toString(shape) + " needs " + n);
    }
    switch (type) {
      case FLOAT32 -> {
        if (!floatField) {
          throw new ProtoException(label + " is float but stores data in field " + field);
        }
        return Nd.floats(shape, fs.toArray());
      }
      case FLOAT64 -> {
        if (!doubleField) {
          throw new ProtoException(label + " is double but stores data in field " + field);
        }
        return Nd.doubles(shape, ds);
      }
      default -> {
        if (floatField || doubleField) {
          throw new ProtoException(label + " is " + type + " but stores data in field " + field);
        }
        long[] v = ls.toArray();
        for (int k = 0; k < v.length; k++) {
          v[k] = Nd.wrap(type, v[k]);
        }
        return Nd.longs(type, shape, v);
      }
    }
  }

  private static long mulCapped(long a, long b) {
    long r = a * b;
    if (a != 0 && (r / a != b || r < 0)) {
      return Long.MAX_VALUE;
    }
    return r;
  }

  private static String str(ProtoReader r, int tag, String field) throws ProtoException {
    expect(tag, ProtoReader.LEN, field);
    return r.readString();
  }

  private static void expect(int tag, int wireType, String field) throws ProtoException {
    if ((tag & 7) != wireType) {
      throw new ProtoException(field + " has wire type " + (tag & 7) + ", expected " + wireType);
    }
  }

  private static void readVarints(ProtoReader r, int tag, LongList out) throws ProtoException {
    if ((tag & 7) == ProtoReader.LEN) {
      ProtoReader p = r.readMessage();
      while (p.hasMore()) {
        out.add(p.readVarint());
      }
    } else if ((tag & 7) == ProtoReader.VARINT) {
      out.add(r.readVarint());
    } else {
      throw new ProtoException("integer field with wire type " + (tag & 7));
    }
  }

  private static void readFloats(ProtoReader r, int tag, FloatList out) throws ProtoException {
    if ((tag & 7) == ProtoReader.LEN) {
      ProtoReader p = r.readMessage();
      while (p.hasMore()) {
        out.add(p.readFloat());
      }
    } else if ((tag & 7) == ProtoReader.I32) {
      out.add(r.readFloat());
    } else {
      throw new ProtoException("float field with wire type " + (tag & 7));
    }
  }

  /** Growable primitive list; growth is bounded by the bytes of the field being read. */
  private static final class LongList {
    long[] a = new long[8];
    int size;

    void add(long v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
      }
      a[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }

  private static final class FloatList {
    float[] a = new float[8];
    int size;

    void add(float v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
      }
      a[size++] = v;
    }

    float[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }
}

package dev.verity.llm.gguf;

import dev.verity.core.Bytes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A strict GGUF (version 2 and 3) reader: magic {@code GGUF}, version, tensor count, metadata
 * count, metadata key/values, tensor infos, then tensor data at the aligned offset. Every count,
 * length and offset is checked against limits and the file size before it is used, so a malformed
 * file fails with a {@link GgufFormatException} naming the problem, never with a huge allocation or
 * an out-of-bounds read.
 *
 * <p>Metadata values are {@link Long} (every integer type; u64 as its two's-complement bits),
 * {@link Double} (f32 and f64), {@link Boolean}, {@link Bytes} (strings, raw UTF-8) and {@link
 * List} (arrays).
 */
public final class GgufFile implements AutoCloseable {
  static final int MAGIC = 0x46554747; // "GGUF" little-endian
  static final int MAX_TENSORS = 1 << 16;
  static final int MAX_KV = 1 << 16;
  static final int MAX_STRING_BYTES = 1 << 20;
  static final int MAX_ARRAY_ELEMENTS = 1 << 24;
  static final int MAX_DIMS = 4;
  static final int MAX_ARRAY_DEPTH = 3;
  static final int DEFAULT_ALIGNMENT = 32;

  private static final ValueLayout.OfFloat F32 =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final Arena arena;
  private final MemorySegment data;
  private final int version;
  private final Map<String, Object> metadata;
  private final Map<String, GgufTensor> tensors;

  private GgufFile(
      Arena arena,
      MemorySegment data,
      int version,
      Map<String, Object> metadata,
      Map<String, GgufTensor> tensors) {
    this.arena = arena;
    this.data = data;
    this.version = version;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.tensors = Collections.unmodifiableMap(tensors);
  }

  /** Maps and parses {@code file}; close the result to unmap it. */
  public static GgufFile open(Path file) throws GgufFormatException, IOException {
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      return parse(seg, arena);
    } catch (GgufFormatException | IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /** Parses bytes already in memory (the caller keeps them alive). */
  public static GgufFile parse(byte[] bytes) throws GgufFormatException {
    return parse(MemorySegment.ofArray(bytes.clone()), null);
  }

  private static GgufFile parse(MemorySegment seg, Arena arena) throws GgufFormatException {
    Reader r = new Reader(seg);
    int magic = r.i32("magic");
    if (magic != MAGIC) {
      throw new GgufFormatException(
          "not a GGUF file: magic is 0x" + Integer.toHexString(magic) + ", expected 'GGUF'");
    }
    int version = r.i32("version");
    if (version != 2 && version != 3) {
      throw new GgufFormatException("unsupported GGUF version " + version + "; supported: 2, 3");
    }
    long tensorCount = r.u64("tensor count");
    long kvCount = r.u64("metadata count");
    if (tensorCount < 0 || tensorCount > MAX_TENSORS) {
      throw new GgufFormatException(
          "tensor count "
              + Long.toUnsignedString(tensorCount)
              + " is over the limit of "
              + MAX_TENSORS);
    }
    if (kvCount < 0 || kvCount > MAX_KV) {
      throw new GgufFormatException(
          "metadata count " + Long.toUnsignedString(kvCount) + " is over the limit of " + MAX_KV);
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    for (long i = 0; i < kvCount; i++) {
      String key = r.utf8("metadata key " + i);
      int type = r.i32("type of '" + key + "'");
      Object value = r.value(type, key, 0);
      if (meta.putIfAbsent(key, value) != null) {
        throw new GgufFormatException("metadata key '" + key + "' appears twice");
      }
    }
    int alignment = DEFAULT_ALIGNMENT;
    Object a = meta.get("general.alignment");
    if (a != null) {
      if (!(a instanceof Long l) || l <= 0 || l > (1 << 16) || Long.bitCount(l) != 1) {
        throw new GgufFormatException(
            "general.alignment must be a power of two up to 65536, got " + a);
      }
      alignment = (int) (long) (Long) a;
    }
    List<String> names = new ArrayList<>();
    List<long[]> dimsList = new ArrayList<>();
    List<GgmlType> types = new ArrayList<>();
    List<Long> offsets = new ArrayList<>();
    for (long i = 0; i < tensorCount; i++) {
      String name = r.utf8("tensor name " + i);
      int nDims = r.i32("dimension count of '" + name + "'");
      if (nDims < 1 || nDims > MAX_DIMS) {
        throw new GgufFormatException(
            "tensor '" + name + "' has " + nDims + " dimensions; supported are 1.." + MAX_DIMS);
      }
      long[] dims = new long[nDims];
      long elements = 1;
      for (int d = 0; d < nDims; d++) {
        dims[d] = r.u64("dimension " + d + " of '" + name + "'");
        if (dims[d] <= 0 || dims[d] > Integer.MAX_VALUE) {
          throw new GgufFormatException(
              "tensor '" + name + "' has invalid dimension " + Long.toUnsignedString(dims[d]));
        }
        elements *= dims[d];
        if (elements > Integer.MAX_VALUE - 64) {
          throw new GgufFormatException(
              "tensor '" + name + "' has more than " + (Integer.MAX_VALUE - 64) + " elements");
        }
      }
      GgmlType type = GgmlType.byId(r.i32("type of '" + name + "'"), name);
      if (dims[0] % type.blockElements() != 0) {
        throw new GgufFormatException(
            "tensor '"
                + name
                + "' of type "
                + type
                + " has rows of "
                + dims[0]
                + " elements, not a multiple of "
                + type.blockElements());
      }
      long offset = r.u64("offset of '" + name + "'");
      if (offset < 0 || offset % alignment != 0) {
        throw new GgufFormatException(
            "tensor '"
                + name
                + "' offset "
                + Long.toUnsignedString(offset)
                + " is not a multiple of the alignment "
                + alignment);
      }
      if (names.contains(name)) {
        throw new GgufFormatException("tensor '" + name + "' appears twice");
      }
      names.add(name);
      dimsList.add(dims);
      types.add(type);
      offsets.add(offset);
    }
    long dataStart = (r.pos + alignment - 1) / alignment * alignment;
    long size = seg.byteSize();
    Map<String, GgufTensor> tensors = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      long[] dims = dimsList.get(i);
      long elements = 1;
      List<Long> dl = new ArrayList<>();
      for (long d : dims) {
        elements *= d;
        dl.add(d);
      }
      long bytes = types.get(i).bytesFor(elements);
      long start = dataStart + offsets.get(i);
      if (start < dataStart || start > size || bytes > size - start) {
        throw new GgufFormatException(
            "tensor '"
                + names.get(i)
                + "' data ["
                + start
                + ", "
                + (start + bytes)
                + ") lies outside the file of "
                + size
                + " bytes");
      }
      tensors.put(names.get(i), new GgufTensor(names.get(i), dl, types.get(i), start, bytes));
    }
    return new GgufFile(arena, seg, version, meta, tensors);
  }

  public int version() {
    return version;
  }

  public Map<String, Object> metadata() {
    return metadata;
  }

  public Map<String, GgufTensor> tensors() {
    return tensors;
  }

  public Optional<Object> value(String key) {
    return Optional.ofNullable(metadata.get(key));
  }

  /** An integer metadata value; {@code fallback} when absent. */
  public long integer(String key, long fallback) throws GgufFormatException {
    Object v = metadata.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Long l)) {
      throw new GgufFormatException("metadata '" + key + "' must be an integer, got " + kind(v));
    }
    return l;
  }

  public long requireInteger(String key) throws GgufFormatException {
    if (!metadata.containsKey(key)) {
      throw new GgufFormatException("metadata '" + key + "' is missing");
    }
    return integer(key, 0);
  }

  public double real(String key, double fallback) throws GgufFormatException {
    Object v = metadata.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Double d)) {
      throw new GgufFormatException("metadata '" + key + "' must be a float, got " + kind(v));
    }
    return d;
  }

  public String string(String key) throws GgufFormatException {
    Object v = metadata.get(key);
    if (!(v instanceof Bytes b)) {
      throw new GgufFormatException(
          "metadata '" + key + "' must be a string, got " + (v == null ? "nothing" : kind(v)));
    }
    return new String(b.toByteArray(), StandardCharsets.UTF_8);
  }

  public List<?> array(String key) throws GgufFormatException {
    Object v = metadata.get(key);
    if (!(v instanceof List<?> l)) {
      throw new GgufFormatException(
          "metadata '" + key + "' must be an array, got " + (v == null ? "nothing" : kind(v)));
    }
    return l;
  }

  static String kind(Object v) {
    return switch (v) {
      case Long l -> "an integer";
      case Double d -> "a float";
      case Boolean b -> "a boolean";
      case Bytes b -> "a string";
      case List<?> l -> "an array";
      default -> v.getClass().getSimpleName();
    };
  }

  /** Dequantizes row {@code row} (ne[0] values) of {@code t} into {@code out}. */
  public void readRow(GgufTensor t, int row, float[] out) {
    int n = t.rowLength();
    long rowBytes = t.type().bytesFor(n);
    long base = t.offset() + row * rowBytes;
    switch (t.type()) {
      case F32 -> MemorySegment.copy(data, F32, base, out, 0, n);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Float.float16ToFloat(data.get(I16, base + 2L * i));
        }
      }
      case Q8_0 -> {
        for (int b = 0; b < n / 32; b++) {
          long blk = base + 34L * b;
          float d = Float.float16ToFloat(data.get(I16, blk));
          for (int j = 0; j < 32; j++) {
            out[b * 32 + j] = data.get(ValueLayout.JAVA_BYTE, blk + 2 + j) * d;
          }
        }
      }
    }
  }

  @Override
  public void close() {
    if (arena != null) {
      arena.close();
    }
  }

  /** Bounds-checked little-endian cursor. */
  private static final class Reader {
    private final MemorySegment seg;
    private long pos;

    Reader(MemorySegment seg) {
      this.seg = seg;
    }

    private void need(long n, String what) throws GgufFormatException {
      if (n < 0 || n > seg.byteSize() - pos) {
        throw new GgufFormatException(
            "file ends at byte " + seg.byteSize() + " while reading " + what + " at byte " + pos);
      }
    }

    private ByteBuffer take(int n, String what) throws GgufFormatException {
      need(n, what);
      ByteBuffer b = seg.asSlice(pos, n).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      pos += n;
      return b;
    }

    int i32(String what) throws GgufFormatException {
      return take(4, what).getInt();
    }

    long u64(String what) throws GgufFormatException {
      return take(8, what).getLong();
    }

    byte[] bytes(String what) throws GgufFormatException {
      long len = u64("length of " + what);
      if (len < 0 || len > MAX_STRING_BYTES) {
        throw new GgufFormatException(
            what
                + " has length "
                + Long.toUnsignedString(len)
                + ", over the limit of "
                + MAX_STRING_BYTES);
      }
      ByteBuffer b = take((int) len, what);
      byte[] out = new byte[(int) len];
      b.get(out);
      return out;
    }

    String utf8(String what) throws GgufFormatException {
      byte[] b = bytes(what);
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b))
            .toString();
      } catch (CharacterCodingException e) {
        throw new GgufFormatException(what + " is not valid UTF-8");
      }
    }

    Object value(int type, String key, int depth) throws GgufFormatException {
      String what = "value of '" + key + "'";
      return switch (type) {
        case 0 -> (long) (take(1, what).get() & 0xFF);
        case 1 -> (long) take(1, what).get();
        case 2 -> (long) (take(2, what).getShort() & 0xFFFF);
        case 3 -> (long) take(2, what).getShort();
        case 4 -> take(4, what).getInt() & 0xFFFFFFFFL;
        case 5 -> (long) take(4, what).getInt();
        case 6 -> (double) take(4, what).getFloat();
        case 7 -> {
          byte b = take(1, what).get();
          if (b != 0 && b != 1) {
            throw new GgufFormatException(what + " is a boolean with byte " + b);
          }
          yield b == 1;
        }
        case 8 -> Bytes.copyOf(bytes(what));
        case 9 -> {
          if (depth >= MAX_ARRAY_DEPTH) {
            throw new GgufFormatException(what + " nests arrays deeper than " + MAX_ARRAY_DEPTH);
          }
          int elemType = i32("element type of '" + key + "'");
          long count = u64("element count of '" + key + "'");
          long minElem =
              switch (elemType) {
                case 0, 1, 7 -> 1;
                case 2, 3 -> 2;
                case 4, 5, 6 -> 4;
                case 8, 10, 11, 12 -> 8;
                case 9 -> 12;
                default ->
                    throw new GgufFormatException(
                        "array '" + key + "' has unknown element type " + elemType);
              };
          if (count < 0 || count > MAX_ARRAY_ELEMENTS || count * minElem > seg.byteSize() - pos) {
            throw new GgufFormatException(
                "array '"
                    + key
                    + "' declares "
                    + Long.toUnsignedString(count)
                    + " elements, more than the limit or the file holds");
          }
          List<Object> list = new ArrayList<>((int) count);
          for (long i = 0; i < count; i++) {
            list.add(value(elemType, key, depth + 1));
          }
          yield Collections.unmodifiableList(list);
        }
        case 10, 11 -> take(8, what).getLong();
        case 12 -> take(8, what).getDouble();
        default -> throw new GgufFormatException(what + " has unknown type " + type);
      };
    }
  }
}

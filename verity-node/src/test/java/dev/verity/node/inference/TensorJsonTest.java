package dev.verity.node.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.engine.DataType;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import dev.verity.node.http.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TensorJsonTest {
  @Provide
  Arbitrary<DataType> types() {
    return Arbitraries.of(DataType.values());
  }

  static Tensor random(DataType type, int n, long seed, boolean finite) {
    byte[] b = new byte[n * type.byteSize()];
    new Random(seed).nextBytes(b);
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    Random r = new Random(seed ^ 0x5DEECE66DL);
    for (int i = 0; i < n; i++) {
      switch (type) {
        case FLOAT32 -> {
          if (finite && !Float.isFinite(buf.getFloat(i * 4))) {
            buf.putFloat(i * 4, r.nextFloat() * 1e6f - 5e5f);
          }
        }
        case FLOAT64 -> {
          if (finite && !Double.isFinite(buf.getDouble(i * 8))) {
            buf.putDouble(i * 8, r.nextGaussian() * 1e9);
          }
        }
        case FLOAT16 -> {
          if (finite && !Float.isFinite(Float.float16ToFloat(buf.getShort(i * 2)))) {
            buf.putShort(i * 2, Float.floatToFloat16(r.nextFloat()));
          }
        }
        case BOOL -> buf.put(i, (byte) (b[i] & 1));
        default -> {}
      }
    }
    return Tensor.ofBytes(type, new long[] {1, n}, b);
  }

  @Property(tries = 300)
  void base64Form_roundTripsEveryBit(
      @ForAll("types") DataType type, @ForAll @IntRange(max = 40) int n, @ForAll long seed) {
    Tensor t = random(type, n, seed, false);
    Tensor back = TensorJson.parse(TensorJson.toJson(t, true), "t", Long.MAX_VALUE);
    assertThat(back).isEqualTo(t);
  }

  @Property(tries = 300)
  void numberForm_roundTripsFiniteValuesExactly(
      @ForAll("types") DataType type, @ForAll @IntRange(max = 40) int n, @ForAll long seed)
      throws Exception {
    Tensor t = random(type, n, seed, true);
    // Through text, as a client would send it.
    JsonNode text =
        Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(TensorJson.toJson(t, false)));
    assertThat(TensorJson.parse(text, "t", Long.MAX_VALUE)).isEqualTo(t);
  }

  static JsonNode json(String s) throws Exception {
    return Json.MAPPER.readTree(s);
  }

  @Test
  void parse_badInputs_nameTheTensorAndTheProblem() throws Exception {
    String[][] cases = {
      {"{\"dtype\":\"complex64\",\"shape\":[1],\"data\":[1]}", "unknown dtype 'complex64'"},
      {"{\"dtype\":\"float32\",\"shape\":[2],\"data\":[1]}", "has 1 elements, shape needs 2"},
      {"{\"dtype\":\"float32\",\"shape\":[1],\"data\":\"@@\"}", "not valid base64"},
      {"{\"dtype\":\"float32\",\"shape\":[2],\"data\":\"AAAAAA==\"}", "has 4 bytes"},
      {"{\"dtype\":\"uint8\",\"shape\":[1],\"data\":[256]}", "out of range"},
      {"{\"dtype\":\"int32\",\"shape\":[1],\"data\":[1.5]}", "must be an integer"},
      {"{\"dtype\":\"float32\",\"shape\":[-1],\"data\":[]}", "shape[0] must be a non-negative"},
      {"{\"dtype\":\"float32\",\"shape\":[1],\"data\":[\"x\"]}", "must be a number"},
      {"{\"dtype\":\"float32\",\"shape\":[1],\"data\":[1],\"extra\":1}", "unknown field 'extra'"},
      {"{\"dtype\":\"float32\",\"shape\":[1]}", "'data' is missing"},
      {"{\"dtype\":\"float32\",\"shape\":[4294967296,4294967296],\"data\":[]}", "overflows"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> TensorJson.parse(json(c[0]), "input 'x'", 1 << 20))
          .as(c[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("input 'x'")
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void parse_overTheByteLimit_isRefusedBeforeDecoding() throws Exception {
    assertThatThrownBy(
            () ->
                TensorJson.parse(
                    json("{\"dtype\":\"float32\",\"shape\":[1000000],\"data\":[]}"), "t", 1024))
        .hasMessageContaining("exceed the limit of 1024");
  }

  @Test
  void specialFloats_travelAsStrings() throws Exception {
    Tensor t =
        Tensor.ofFloats(new long[] {3}, new float[] {Float.NaN, Float.POSITIVE_INFINITY, -0.0f});
    JsonNode j = TensorJson.toJson(t, false);
    assertThat(j.get("data").get(0).asText()).isEqualTo("NaN");
    assertThat(j.get("data").get(1).asText()).isEqualTo("Infinity");
    assertThat(TensorJson.parse(j, "t", 100).toFloats()[2]).isEqualTo(-0.0f);
  }
}

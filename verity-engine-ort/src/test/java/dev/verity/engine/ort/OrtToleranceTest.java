package dev.verity.engine.ort;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.engine.Tensor;
import org.junit.jupiter.api.Test;

class OrtToleranceTest {
  private static final OrtTolerance T = new OrtTolerance(1e-3, 1e-4, 0);

  private static Tensor f(float... v) {
    return Tensor.ofFloats(new long[] {v.length}, v);
  }

  @Test
  void verify_withinAtolPlusRtol_accepts() {
    // 1000 * 1e-4 + 1e-3 = 0.101 allowed at element 1.
    assertThatCode(() -> T.verify(f(0f, 1000f, -5f), f(0.0009f, 1000.1f, -5.0005f)))
        .doesNotThrowAnyException();
  }

  @Test
  void verify_justOutside_throwsNamingElementAndValues() {
    assertThatThrownBy(() -> T.verify(f(0f, 1000f), f(0f, 1000.2f)))
        .isInstanceOf(ToleranceExceededException.class)
        .hasMessageContaining("element 1")
        .hasMessageContaining("reference 1000.0")
        .satisfies(
            e ->
                org.assertj.core.api.Assertions.assertThat(
                        ((ToleranceExceededException) e).elementIndex())
                    .isEqualTo(1));
  }

  @Test
  void verify_scaleTerm_allowsErrorProportionalToLargestValue() {
    OrtTolerance scaled = new OrtTolerance(0, 0, 1e-5);
    // Largest |reference| is 10000, so every element may be off by 0.1.
    assertThatCode(() -> scaled.verify(f(10000f, 0.5f), f(10000.05f, 0.59f)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> scaled.verify(f(10000f, 0.5f), f(10000f, 0.62f)))
        .isInstanceOf(ToleranceExceededException.class)
        .hasMessageContaining("element 1")
        .hasMessageContaining("largest |reference|");
    // Infinities do not inflate the scale.
    assertThatThrownBy(
            () -> scaled.verify(f(Float.POSITIVE_INFINITY, 0f), f(Float.POSITIVE_INFINITY, 1f)))
        .isInstanceOf(ToleranceExceededException.class);
  }

  @Test
  void verify_nanOnlyWhereReferenceHasNan() {
    assertThatCode(() -> T.verify(f(Float.NaN, 1f), f(Float.NaN, 1f))).doesNotThrowAnyException();
    assertThatThrownBy(() -> T.verify(f(1f), f(Float.NaN)))
        .isInstanceOf(ToleranceExceededException.class);
    assertThatThrownBy(() -> T.verify(f(Float.NaN), f(1f)))
        .isInstanceOf(ToleranceExceededException.class);
    assertThatThrownBy(() -> T.verify(f(Float.POSITIVE_INFINITY), f(Float.MAX_VALUE)))
        .isInstanceOf(ToleranceExceededException.class);
  }

  @Test
  void verify_shapeOrTypeMismatch_throws() {
    assertThatThrownBy(
            () -> T.verify(f(1f, 2f), Tensor.ofFloats(new long[] {2, 1}, new float[] {1f, 2f})))
        .hasMessageContaining("shape [2, 1] differs from reference [2]");
    assertThatThrownBy(() -> T.verify(f(1f), Tensor.ofInts(new long[] {1}, new int[] {1})))
        .hasMessageContaining("element type INT32 differs from reference FLOAT32");
  }

  @Test
  void verify_integerTensors_mustBeExact() {
    Tensor a = Tensor.ofLongs(new long[] {3}, new long[] {1, 2, 3});
    assertThatCode(() -> T.verify(a, Tensor.ofLongs(new long[] {3}, new long[] {1, 2, 3})))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> T.verify(a, Tensor.ofLongs(new long[] {3}, new long[] {1, 2, 4})))
        .isInstanceOf(ToleranceExceededException.class)
        .hasMessageContaining("INT64 tensors must be equal")
        .satisfies(
            e ->
                org.assertj.core.api.Assertions.assertThat(
                        ((ToleranceExceededException) e).elementIndex())
                    .isEqualTo(2));
  }

  @Test
  void constructor_negativeOrNan_refused() {
    assertThatThrownBy(() -> new OrtTolerance(-1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OrtTolerance(0, Double.NaN, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

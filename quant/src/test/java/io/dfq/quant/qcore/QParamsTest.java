package io.dfq.quant.qcore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QParamsTest {

    private static final float EPS = 1e-6f;

    @Test
    void asymmetricFourBitOnMinusOneToTwoHasScaleFifthAndZeroPointFive() {
        QParams q = QParams.fromRange(-1f, 2f, 4, false);
        // levels = 2^4 - 1 = 15; scale = (2 - (-1)) / 15 = 0.2; zero point = rint(1 / 0.2) = 5
        assertThat(q.scale()).isCloseTo(0.2f, within(EPS));
        assertThat(q.zeroPoint()).isEqualTo(5);
        assertThat(q.qmin()).isEqualTo(0);
        assertThat(q.qmax()).isEqualTo(15);
        // representable: (0 - 5) * 0.2 = -1, (15 - 5) * 0.2 = 2
        assertThat(q.representableRange()[0]).isCloseTo(-1f, within(EPS));
        assertThat(q.representableRange()[1]).isCloseTo(2f, within(EPS));
    }

    @ParameterizedTest(name = "x = {0} -> code {1}")
    @CsvSource({
        "-1.3, 0", // -1.3 / 0.2 = -6.5 -> rint -6 -> -6 + 5 = -1 -> clamped to 0
        "-1.0, 0", // -5 + 5 = 0
        "0.0, 5", // 0 + 5 = 5: zero is exact
        "0.07, 5", // 0.35 -> 0 -> 5
        "0.1, 5", // 0.5 -> half to even -> 0 -> 5 (half-up would give 6)
        "0.3, 7", // 1.5 -> half to even -> 2 -> 7
        "2.0, 15", // 10 + 5 = 15
        "2.5, 15", // 12.5 -> 12 -> 17 -> clamped to 15
    })
    void asymmetricFourBitCodesRoundHalfToEvenAndClamp(float x, int code) {
        QParams q = QParams.fromRange(-1f, 2f, 4, false);
        assertThat(q.quantize(x)).isEqualTo(code);
        // dequantize: (code - 5) * 0.2
        assertThat(q.dequantize(code)).isCloseTo((code - 5) * 0.2f, within(EPS));
    }

    @Test
    void fakeQuantizeSnapsToTheGridAndSaturates() {
        QParams q = QParams.fromRange(-1f, 2f, 4, false);
        assertThat(q.fakeQuantize(0.3f)).isCloseTo(0.4f, within(EPS)); // code 7 -> (7 - 5) * 0.2
        assertThat(q.fakeQuantize(0.07f)).isEqualTo(0f); // code 5 -> 0 exactly
        assertThat(q.fakeQuantize(-1.3f)).isCloseTo(-1f, within(EPS)); // code 0 -> -1
        assertThat(q.fakeQuantize(2.5f)).isCloseTo(2f, within(EPS)); // code 15 -> 2
    }

    @Test
    void rangeIsWidenedToIncludeZero() {
        // [0.5, 2] -> [0, 2]: scale = 2 / 15, zero point = rint(0 / scale) = 0
        QParams pos = QParams.fromRange(0.5f, 2f, 4, false);
        assertThat(pos.scale()).isCloseTo(2f / 15, within(EPS));
        assertThat(pos.zeroPoint()).isEqualTo(0);
        assertThat(pos.fakeQuantize(0f)).isEqualTo(0f);
        // 0.5 / (2/15) = 3.75 -> 4 -> 4 * 2/15 = 0.5333
        assertThat(pos.quantize(0.5f)).isEqualTo(4);
        assertThat(pos.fakeQuantize(0.5f)).isCloseTo(8f / 15, within(EPS));

        // [-3, -1] -> [-3, 0]: scale = 3 / 15 = 0.2, zero point = rint(3 / 0.2) = 15
        QParams neg = QParams.fromRange(-3f, -1f, 4, false);
        assertThat(neg.scale()).isCloseTo(0.2f, within(EPS));
        assertThat(neg.zeroPoint()).isEqualTo(15);
        assertThat(neg.fakeQuantize(0f)).isEqualTo(0f);
        assertThat(neg.representableRange()[0]).isCloseTo(-3f, within(EPS)); // (0 - 15) * 0.2
    }

    @Test
    void symmetricSignedUsesMaxAbsOverQmax() {
        // [-1, 0.5] at 4 bits: signed codes [-8, 7]; scale = max(|-1|, 0.5) / 7 = 1/7; zero point 0
        QParams q = QParams.fromRange(-1f, 0.5f, 4, true);
        assertThat(q.scale()).isCloseTo(1f / 7, within(EPS));
        assertThat(q.zeroPoint()).isEqualTo(0);
        assertThat(q.qmin()).isEqualTo(-8);
        assertThat(q.qmax()).isEqualTo(7);
        assertThat(q.quantize(-1f)).isEqualTo(-7); // -1 * 7 = -7
        assertThat(q.quantize(0.3f)).isEqualTo(2); // 0.3 * 7 = 2.1 -> 2
        assertThat(q.quantize(-2f)).isEqualTo(-8); // -14 -> clamped to -8
        assertThat(q.fakeQuantize(-2f)).isCloseTo(-8f / 7, within(EPS)); // -8 * 1/7
        assertThat(q.quantize(2f)).isEqualTo(7); // 14 -> clamped to 7
    }

    @Test
    void symmetricOnNonNegativeRangeUsesUnsignedCodes() {
        // [0, 3] at 4 bits: unsigned codes [0, 15]; scale = 3 / 15 = 0.2; zero point 0
        QParams q = QParams.fromRange(0f, 3f, 4, true);
        assertThat(q.scale()).isCloseTo(0.2f, within(EPS));
        assertThat(q.zeroPoint()).isEqualTo(0);
        assertThat(q.qmin()).isEqualTo(0);
        assertThat(q.qmax()).isEqualTo(15);
        assertThat(q.quantize(3f)).isEqualTo(15); // 3 / 0.2 = 15
        assertThat(q.quantize(1.1f)).isEqualTo(6); // 5.5 -> half to even -> 6
        assertThat(q.quantize(-0.5f)).isEqualTo(0); // -2.5 -> -2 -> clamped to 0
    }

    @Test
    void eightBitAsymmetric() {
        // [-1.28, 1.27] at 8 bits: scale = 2.55 / 255 = 0.01; zero point = rint(1.28 / 0.01) = 128
        QParams q = QParams.fromRange(-1.28f, 1.27f, 8, false);
        assertThat(q.scale()).isCloseTo(0.01f, within(1e-7f));
        assertThat(q.zeroPoint()).isEqualTo(128);
        assertThat(q.qmax()).isEqualTo(255);
        assertThat(q.quantize(0.5f)).isEqualTo(178); // 50 + 128
        assertThat(q.quantize(-1.28f)).isEqualTo(0); // -128 + 128
        assertThat(q.quantize(1.27f)).isEqualTo(255); // 127 + 128
        assertThat(q.fakeQuantize(0.123f)).isCloseTo(0.12f, within(EPS)); // 12.3 -> 12 -> 0.12
    }

    @Test
    void degenerateZeroRangeUsesMinimumScale() {
        // [0, 0]: (0 - 0) / 15 = 0 -> MIN_SCALE; zero point rint(0 / 1e-8) = 0
        QParams q = QParams.fromRange(0f, 0f, 4, false);
        assertThat(q.scale()).isEqualTo(QParams.MIN_SCALE);
        assertThat(q.zeroPoint()).isEqualTo(0);
        assertThat(q.fakeQuantize(0f)).isEqualTo(0f);
        assertThat(q.quantize(1f)).isEqualTo(15); // 1e8 -> clamped to 15
        QParams s = QParams.fromRange(0f, 0f, 4, true);
        assertThat(s.scale()).isEqualTo(QParams.MIN_SCALE);
        assertThat(s.fakeQuantize(0f)).isEqualTo(0f);
    }

    @Test
    void invalidRangesAreRejected() {
        assertThatThrownBy(() -> QParams.fromRange(2f, 1f, 4, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid range");
        assertThatThrownBy(() -> QParams.fromRange(Float.NaN, 1f, 4, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QParams.fromRange(0f, Float.POSITIVE_INFINITY, 4, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 17, 32})
    void invalidBitWidthsAreRejected(int bits) {
        assertThatThrownBy(() -> QParams.fromRange(-1f, 1f, bits, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bits");
    }

    @ParameterizedTest
    @CsvSource({"-1.0, 2.0, 4, false", "-1.0, 0.5, 4, true", "0.0, 3.0, 2, true", "-0.37, 5.3, 8, false",
        "-2.0, 2.0, 3, true"})
    void fakeQuantizeIsIdempotent(float lo, float hi, int bits, boolean symmetric) {
        QParams q = QParams.fromRange(lo, hi, bits, symmetric);
        for (int i = 0; i <= 400; i++) {
            float x = -8f + i * 0.04f;
            float once = q.fakeQuantize(x);
            assertThat(q.fakeQuantize(once)).as("x = %s", x).isEqualTo(once);
        }
    }
}

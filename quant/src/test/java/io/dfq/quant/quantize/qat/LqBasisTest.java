package io.dfq.quant.quantize.qat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dfq.quant.qcore.QParams;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LqBasisTest {

    @Test
    void activationLevelsStartUniformAndEncodingTakesTheNearest() {
        LqBasis a = LqBasis.forActivations(2);
        double base = 0.6745 * 2 / 3;
        assertThat(a.basis()).containsExactly(new double[] {base, 2 * base}, within(1e-12));
        // codes (0,0) (1,0) (0,1) (1,1): levels 0, base, 2 base, 3 base; thresholds at the midpoints
        assertThat(a.level(3)).isCloseTo(3 * base, within(1e-12));
        assertThat(a.encode(new float[] {0.2f, 0.3f, 1.0f, 5f, -1f})).containsExactly(0, 1, 2, 3, 0);
    }

    @Test
    void weightCodesArePlusMinusOneAndTheFirstUpdateIsTheLeastSquaresSolution() {
        LqBasis w = LqBasis.forWeights(1, 50);
        double v0 = 0.6745 * Math.sqrt(2.0 / 50);
        assertThat(w.level(0)).isCloseTo(-v0, within(1e-12));
        assertThat(w.level(1)).isCloseTo(v0, within(1e-12));
        float[] x = {1, 1, -1, -1, 3, -3};
        // codes = signs; B^T B = 6, B^T x = 10: (10 + eps v0) / (6 + eps), debiased EMA = the solution
        w.update(x);
        double s1 = (10 + LqBasis.EPS * v0) / (6 + LqBasis.EPS);
        assertThat(w.basis()[0]).isCloseTo(s1, within(1e-12));
        // second step: solution s2 pulled toward s1; the debiased average (0.9 * 0.1 s1 + 0.1 s2) / (1 - 0.81)
        w.update(x);
        double s2 = (10 + LqBasis.EPS * s1) / (6 + LqBasis.EPS);
        assertThat(w.basis()[0]).isCloseTo((0.09 * s1 + 0.1 * s2) / 0.19, within(1e-12));
    }

    @Test
    void fittingTheBasisToAToyTensorQuantizesItBetterThanUniformMinMax() {
        Random r = new Random(3);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 0.1);
        }
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        QParams uniform = QParams.fromRange(lo, hi, 2, false);
        double uniformError = 0;
        for (float v : x) {
            double d = v - uniform.fakeQuantize(v);
            uniformError += d * d;
        }
        LqBasis lq = LqBasis.forWeights(2, 64);
        double initial = lq.error(x);
        for (int it = 0; it < 10; it++) {
            lq.update(x);
        }
        double fitted = lq.error(x);
        assertThat(fitted).isLessThan(initial);
        assertThat(fitted).isLessThan(0.5 * uniformError);
    }
}

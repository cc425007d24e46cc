package io.dfq.quant.quantize.qat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dfq.quant.qcore.QParams;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LqBasisTest {

    @Test
    void aUniformStartHasTheGridsLevelsAndEncodingTakesTheNearest() {
        LqBasis a = LqBasis.uniform(2, false, 0.5);
        assertThat(a.basis()).containsExactly(0.5f, 1f);
        // codes (0,0) (1,0) (0,1) (1,1): levels 0, 0.5, 1, 1.5; thresholds at the midpoints, ties go down
        assertThat(a.levels()).containsExactly(0f, 0.5f, 1f, 1.5f);
        assertThat(a.encode(new float[] {0.2f, 0.3f, 0.75f, 1.0f, 5f, -1f})).containsExactly(0, 1, 1, 2, 3, 0);
        LqBasis w = LqBasis.uniform(2, true, 0.5);
        // +-1 codes: levels -0.75, -0.25, 0.25, 0.75 (index 0 = both bits -1)
        assertThat(w.levels()).containsExactly(-0.75f, -0.25f, 0.25f, 0.75f);
        assertThat(w.sortedLevels()).containsExactly(-0.75f, -0.25f, 0.25f, 0.75f);
        assertThat(w.encode(new float[] {-2f, -0.3f, 0f, 0.6f})).containsExactly(0, 1, 1, 3);
    }

    @Test
    void theFirstUpdateIsTheLeastSquaresSolutionAndLaterOnesAreItsDebiasedAverage() {
        float v0 = 0.2f;
        LqBasis w = LqBasis.uniform(1, true, 2 * v0);
        assertThat(w.levels()).containsExactly(-v0, v0);
        float[] x = {1, 1, -1, -1, 3, -3};
        // codes = signs; B^T B = 6, B^T x = 10: (10 + eps v0) / (6 + eps), debiased EMA = the solution
        w.update(x);
        double s1 = (10 + LqBasis.EPS * v0) / (6 + LqBasis.EPS);
        assertThat(w.basis()[0]).isCloseTo((float) s1, within(1e-6f));
        // second step: solution s2 pulled toward s1; the debiased average (0.9 * 0.1 s1 + 0.1 s2) / (1 - 0.81)
        w.update(x);
        double s2 = (10 + LqBasis.EPS * (float) s1) / (6 + LqBasis.EPS);
        assertThat(w.basis()[0]).isCloseTo((float) ((0.09 * s1 + 0.1 * s2) / 0.19), within(1e-6f));
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
        LqBasis lq = LqBasis.uniform(2, true, uniform.scale());
        double initial = lq.error(x);
        for (int it = 0; it < LqWeights.FIT_STEPS; it++) {
            lq.update(x);
        }
        double fitted = lq.error(x);
        assertThat(fitted).isLessThan(initial);
        assertThat(fitted).isLessThan(0.5 * uniformError);
    }
}

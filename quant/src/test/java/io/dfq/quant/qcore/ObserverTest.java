package io.dfq.quant.qcore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ObserverTest {

    /** Explicit support points with weights (a hand-made histogram). */
    private record Weighted(float[] x, double[] w) implements Distribution {

        @Override
        public float min() {
            return x[0];
        }

        @Override
        public float max() {
            return x[x.length - 1];
        }

        @Override
        public int points() {
            return x.length;
        }

        @Override
        public float value(int i) {
            return x[i];
        }

        @Override
        public double weight(int i) {
            return w[i];
        }

        @Override
        public double quantile(double q) {
            throw new UnsupportedOperationException();
        }
    }

    private static Values zeroTo999() {
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return new Values(v);
    }

    @Test
    void minMaxObserverReturnsTheObservedRange() {
        Values v = new Values(new float[] {0.5f, -1f, 2f, 0f});
        assertThat(new MinMaxObserver().range(v, 4, false)).containsExactly(-1f, 2f);
        // qparams goes through QParams.fromRange(-1, 2, 4, asymmetric): scale 3/15 = 0.2, zero point 5
        QParams q = new MinMaxObserver().qparams(v, 4, false);
        assertThat(q.scale()).isCloseTo(0.2f, within(1e-6f));
        assertThat(q.zeroPoint()).isEqualTo(5);
    }

    @Test
    void percentileObserverClipsToInterpolatedPercentiles() {
        // 0..999: quantile(q) = q * 999 exactly (value i sits at position i)
        // 99th: 0.99 * 999 = 989.01; 1st: 0.01 * 999 = 9.99
        float[] r = new PercentileObserver(99).range(zeroTo999(), 8, false);
        assertThat(r[0]).isCloseTo(9.99f, within(1e-4f));
        assertThat(r[1]).isCloseTo(989.01f, within(1e-3f));
        // 100th percentile keeps the full range
        assertThat(new PercentileObserver(100).range(zeroTo999(), 8, false)).containsExactly(0f, 999f);
    }

    @Test
    void percentileObserverWorksOnHistograms() {
        // 1000 values 0.5, 1.5, ..., 999.5 in a 1000-bin histogram of [0, 1000]: one per bin.
        // 99th percentile: target 990 -> reached in bin 989 (cum 989 + 1), frac 1 -> 990; 1st: target 10 -> 10
        Histogram h = new Histogram(0f, 1000f, 1000);
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i + 0.5f;
        }
        h.add(v);
        float[] r = new PercentileObserver(99).range(h, 8, false);
        assertThat(r[0]).isCloseTo(10f, within(1e-3f));
        assertThat(r[1]).isCloseTo(990f, within(1e-3f));
    }

    @Test
    void percentileOutsideFiftyToHundredIsRejected() {
        assertThatThrownBy(() -> new PercentileObserver(50)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PercentileObserver(100.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lpErrorOnThreeValuesByHand() {
        // [0, 1] at 2 bits asymmetric: scale 1/3, zero point 0, grid {0, 1/3, 2/3, 1}
        QParams q = QParams.fromRange(0f, 1f, 2, false);
        Values v = new Values(new float[] {0.05f, 0.3f, 1.0f});
        // 0.05 -> 0.15 -> 0 -> 0: |e| = 0.05; 0.3 -> 0.9 -> 1 -> 1/3: |e| = 1/30; 1.0 -> 3 -> 1: e = 0
        // p = 2: 0.0025 + 1/900 = 0.0036111
        assertThat(new LpObserver(2).error(v, q)).isCloseTo(0.0025 + 1.0 / 900, within(1e-7));
        // p = 1: 0.05 + 1/30 = 0.083333
        assertThat(new LpObserver(1).error(v, q)).isCloseTo(0.05 + 1.0 / 30, within(1e-7));
    }

    @Test
    void lpErrorWeighsSupportPoints() {
        // same grid; points 0.05 (weight 3) and 0.3 (weight 0: skipped): 3 * 0.05^2 = 0.0075
        QParams q = QParams.fromRange(0f, 1f, 2, false);
        Weighted d = new Weighted(new float[] {0.05f, 0.3f}, new double[] {3, 0});
        assertThat(new LpObserver(2).error(d, q)).isCloseTo(0.0075, within(1e-7));
    }

    @Test
    void lpObserverClipsRareOutliers() {
        // 1000 each of {-1, -0.5, 0, 0.5, 1} and one each of -7 and 7; symmetric 4 bits (codes [-8, 7]),
        // candidates [-7a, 7a] so scale = 7a / 7 = a.
        Weighted d = new Weighted(new float[] {-7f, -1f, -0.5f, 0f, 0.5f, 1f, 7f},
                new double[] {1, 1000, 1000, 1000, 1000, 1000, 1});
        LpObserver mse = new LpObserver(2);
        // a = 1 (full range, scale 1): +-0.5 -> rint(+-0.5) = 0 (half to even): 2000 * 0.25 = 500;
        // +-1, 0, +-7 exact
        double full = mse.error(d, QParams.fromRange(-7f, 7f, 4, true));
        assertThat(full).isCloseTo(500, within(1e-6));
        // a = 0.5 (scale 0.5): bulk exact; 7 -> 14 -> 7 -> 3.5: 12.25; -7 -> -14 -> -8 -> -4: 9 => 21.25
        double half = mse.error(d, QParams.fromRange(-3.5f, 3.5f, 4, true));
        assertThat(half).isCloseTo(21.25, within(1e-6));

        float[] r = mse.range(d, 4, true);
        double chosen = mse.error(d, QParams.fromRange(r[0], r[1], 4, true));
        // the search includes a = 0.5, so the chosen error is at most 21.25; that bounds a:
        // outlier 7 alone costs (7 - 7a)^2 <= 21.25 -> 7a >= 2.39; for 0.5 < a < 1 the +-0.5 points
        // round to +-a and cost 2000 (a - 0.5)^2 <= 21.25 -> a <= 0.603 -> 7a <= 4.22
        assertThat(chosen).isLessThanOrEqualTo(21.25 + 1e-9);
        assertThat(r[1]).isBetween(2.39f, 4.23f);
        assertThat(r[0]).isEqualTo(-r[1]);
    }

    @Test
    void lpObserverKeepsTheFullRangeOfUniformDataAtEightBits() {
        // 1001 points -1, -0.998, ..., 1 (step 0.002). Full range: scale 2/255, rounding error ~ N s^2/12
        // = 1001 * 6.15e-5 / 12 = 0.0051. Clipping to [-a, a] saves at most 0.0051 (1 - a^2) ~ 0.0103 (1 - a)
        // but clips 1000 (1 - a) points costing ~ 2 * 500 * (1 - a)^3 / 3 = 333 (1 - a)^3; already at the
        // first candidate a = 0.99: 0.00033 > 0.0001. So the search must keep a = 1.
        float[] v = new float[1001];
        for (int i = 0; i < v.length; i++) {
            v[i] = -1f + i / 500f;
        }
        assertThat(new LpObserver(2).range(new Values(v), 8, false)).containsExactly(-1f, 1f);
        assertThat(new LpObserver(2.4).range(new Values(v), 8, true)).containsExactly(-1f, 1f);
    }

    @Test
    void lpObserverRejectsNonPositiveP() {
        assertThatThrownBy(() -> new LpObserver(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LpObserver(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.dfq.quant.qcore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** {@link Values} and {@link Histogram}: support points, weights and quantiles. */
class DistributionTest {

    @Test
    void valuesAreSortedWithUnitWeights() {
        Values v = new Values(new float[] {3f, 1f, 4f, 2f});
        assertThat(v.points()).isEqualTo(4);
        assertThat(v.min()).isEqualTo(1f);
        assertThat(v.max()).isEqualTo(4f);
        assertThat(new float[] {v.value(0), v.value(1), v.value(2), v.value(3)}).containsExactly(1f, 2f, 3f, 4f);
        assertThat(v.weight(2)).isEqualTo(1.0);
    }

    @Test
    void valuesQuantilesInterpolateBetweenOrderStatistics() {
        // sorted [1, 2, 3, 4]; position = q * (4 - 1)
        Values v = new Values(new float[] {3f, 1f, 4f, 2f});
        assertThat(v.quantile(0)).isEqualTo(1.0); // position 0
        assertThat(v.quantile(0.25)).isCloseTo(1.75, within(1e-12)); // position 0.75: 1 + 0.75 * (2 - 1)
        assertThat(v.quantile(0.5)).isCloseTo(2.5, within(1e-12)); // position 1.5: 2 + 0.5 * (3 - 2)
        assertThat(v.quantile(1)).isEqualTo(4.0); // position 3
    }

    @Test
    void valuesTakeOnlyTheGivenSubrange() {
        // [from, to) = [1, 4) of {9, 5, -1, 7, 100} -> {5, -1, 7} -> sorted [-1, 5, 7]
        Values v = new Values(new float[] {9f, 5f, -1f, 7f, 100f}, 1, 4);
        assertThat(v.points()).isEqualTo(3);
        assertThat(v.min()).isEqualTo(-1f);
        assertThat(v.max()).isEqualTo(7f);
        assertThat(v.quantile(0.5)).isEqualTo(5.0); // position 1
        assertThatThrownBy(() -> new Values(new float[] {1f}, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void histogramAssignsBinsAndSendsOutOfRangeValuesToTheEndBins() {
        // [0, 10] in 5 bins of width 2: [0,2) [2,4) [4,6) [6,8) [8,10]
        Histogram h = new Histogram(0f, 10f, 5);
        h.add(new float[] {
            0f, // bin 0
            1.9f, // 0.95 -> bin 0
            2f, // 1.0 -> bin 1
            9.99f, // 4.995 -> bin 4
            10f, // 5 -> past the end -> last bin 4
            -5f, // -2.5 -> below -> bin 0
            15f, // 7.5 -> above -> bin 4
        });
        assertThat(h.total()).isEqualTo(7);
        assertThat(new double[] {h.weight(0), h.weight(1), h.weight(2), h.weight(3), h.weight(4)})
                .containsExactly(3, 1, 0, 0, 3);
        assertThat(h.points()).isEqualTo(5);
        // bin centres lo + (i + 0.5) * 2
        assertThat(h.value(0)).isEqualTo(1f);
        assertThat(h.value(4)).isEqualTo(9f);
        assertThat(h.min()).isEqualTo(0f);
        assertThat(h.max()).isEqualTo(10f);
    }

    @Test
    void histogramTotalAccumulatesOverAdds() {
        Histogram h = new Histogram(-1f, 1f, 8);
        h.add(new float[] {0f, 0.5f});
        h.add(new float[] {-1f});
        h.add(new float[0]);
        assertThat(h.total()).isEqualTo(3);
    }

    @Test
    void histogramQuantileInterpolatesInsideTheCrossingBin() {
        // two values in each of the 5 bins of [0, 10]: counts [2, 2, 2, 2, 2], total 10
        Histogram h = new Histogram(0f, 10f, 5);
        h.add(new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f, 8.5f, 9.5f});
        // q = 0.5: target 5; cumulative 2, 4 before bin 2 -> frac (5 - 4) / 2 = 0.5 -> 0 + 2.5 * 2 = 5
        assertThat(h.quantile(0.5)).isCloseTo(5.0, within(1e-6));
        // q = 0.25: target 2.5; crosses in bin 1 with cum 2 -> frac 0.25 -> 1.25 * 2 = 2.5
        assertThat(h.quantile(0.25)).isCloseTo(2.5, within(1e-6));
        // q = 0: first non-empty bin, frac 0 -> 0; q = 1: bin 4 frac 1 -> 10
        assertThat(h.quantile(0)).isCloseTo(0.0, within(1e-6));
        assertThat(h.quantile(1)).isCloseTo(10.0, within(1e-6));
    }

    @Test
    void histogramQuantileSkipsEmptyBins() {
        // [0, 10] in 5 bins; 4 values in bin 0, 4 in bin 4: q = 0.75 target 6 -> bin 4 with cum 4:
        // frac (6 - 4) / 4 = 0.5 -> (4 + 0.5) * 2 = 9
        Histogram h = new Histogram(0f, 10f, 5);
        h.add(new float[] {0.1f, 0.2f, 0.3f, 0.4f, 9.1f, 9.2f, 9.3f, 9.4f});
        assertThat(h.quantile(0.75)).isCloseTo(9.0, within(1e-6));
        // q = 0.5 target 4: bin 0 reaches it exactly (cum + 4 >= 4), frac 1 -> 2
        assertThat(h.quantile(0.5)).isCloseTo(2.0, within(1e-6));
    }

    @Test
    void zeroWidthHistogramPutsEverythingInOneBin() {
        Histogram h = new Histogram(3f, 3f, 4);
        h.add(new float[] {3f, 3f, 7f, -1f});
        assertThat(h.total()).isEqualTo(4);
        assertThat(h.weight(0)).isEqualTo(4);
        assertThat(h.weight(3)).isEqualTo(0);
        assertThat(h.value(2)).isEqualTo(3f); // width 0: every centre is lo
        assertThat(h.quantile(0.5)).isEqualTo(3.0);
    }

    @Test
    void invalidHistogramRangeIsRejected() {
        assertThatThrownBy(() -> new Histogram(1f, 0f, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Histogram(Float.NaN, 1f, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** {@link LossTerms}: first and last value per batch, averaged over the batches of each term. */
class LossTermsTest {

    @Test
    void averagesFirstAndLastValuesOverTheBatchesOfEachTerm() {
        LossTerms t = new LossTerms();
        t.record("a", 4);
        t.record("a", 2);
        assertThat(t.first("a")).isEqualTo(4);
        assertThat(t.last("a")).isEqualTo(2);
        t.endBatch();
        t.record("a", 6);
        t.record("b", 1); // a term that starts in the second batch
        t.record("a", 0);
        t.record("b", 3);
        t.endBatch();
        assertThat(t.first("a")).isNaN();
        assertThat(t.stats()).containsOnly(
                entry("loss_a_initial", 5.0), // (4 + 6) / 2
                entry("loss_a_final", 1.0), // (2 + 0) / 2
                entry("loss_b_initial", 1.0),
                entry("loss_b_final", 3.0));
    }

    @Test
    void addRecordsTheUnweightedValueAndSumsTheWeightedOnes() {
        try (NDManager m = NDManager.newBaseManager()) {
            LossTerms t = new LossTerms();
            NDArray total = t.add(null, "x", 2, m.create(3f));
            total = t.add(total, "y", 0.5, m.create(4f));
            assertThat(t.total("test", total)).isEqualTo(8.0); // 2 * 3 + 0.5 * 4
            assertThat(t.last("x")).isEqualTo(3.0);
            assertThat(t.last("y")).isEqualTo(4.0);
            assertThat(t.last(LossTerms.TOTAL)).isEqualTo(8.0);
            assertThatThrownBy(() -> t.total("test", null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("every loss weight is 0");
        }
    }
}

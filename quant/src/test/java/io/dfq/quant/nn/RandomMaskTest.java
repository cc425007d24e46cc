package io.dfq.quant.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RandomMaskTest {

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.2, 1.0, 0.0})
    void masksHoldOnlyZerosAndOnesAtTheGivenRateAndRepeatForASeed(double p) {
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(10, 3, 7, 11); // 2310 elements: not a multiple of 64
            float[] a = RandomMask.bernoulli(m, shape, p, new SplittableRandom(5)).toFloatArray();
            float[] b = RandomMask.bernoulli(m, shape, p, new SplittableRandom(5)).toFloatArray();
            assertThat(a).containsExactly(b);
            int ones = 0;
            for (float v : a) {
                assertThat(v).isIn(0f, 1f);
                ones += (int) v;
            }
            // binomial(2310, p): within 5 standard deviations
            double sd = Math.sqrt(2310 * p * (1 - p));
            assertThat((double) ones).isBetween(2310 * p - 5 * sd, 2310 * p + 5 * sd);
        }
    }
}

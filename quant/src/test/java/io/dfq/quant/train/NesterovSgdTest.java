package io.dfq.quant.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.nn.Autograd;
import java.util.List;
import org.junit.jupiter.api.Test;

class NesterovSgdTest {

    /** Records loss = sum(w * [0.5, 3]) and back-propagates it: the gradient is [0.5, 3] whatever w. */
    private static void backward(NDArray w, NDManager m) {
        NDArray c = m.create(new float[] {0.5f, 3f});
        try (Autograd g = Autograd.record()) {
            g.backward(w.mul(c).sum());
        }
    }

    @Test
    void oneStepFollowsPyTorchsNesterovFormula() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f, -2f});
            w.setRequiresGradient(true);
            try (NesterovSgd sgd = new NesterovSgd(List.of(w), 0.9, 0.01)) {
                backward(w, m);
                sgd.step(0.1);
                // g = grad + wd * w = [0.5 + 0.01, 3 - 0.02] = [0.51, 2.98]; buf = 0.9 * 0 + g = [0.51, 2.98]
                // w -= 0.1 * (g + 0.9 * buf) = 0.1 * [0.969, 5.662] -> [0.9031, -2.5662]
                float[] after = w.toFloatArray();
                assertThat(after[0]).isCloseTo(0.9031f, within(1e-6f));
                assertThat(after[1]).isCloseTo(-2.5662f, within(1e-6f));
                // the step zeroes the gradient
                assertThat(w.getGradient().toFloatArray()).containsExactly(0f, 0f);
            }
        }
    }

    @Test
    void secondStepUsesTheMomentumBuffer() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f, -2f});
            w.setRequiresGradient(true);
            try (NesterovSgd sgd = new NesterovSgd(List.of(w), 0.9, 0.01)) {
                backward(w, m);
                sgd.step(0.1); // w = [0.9031, -2.5662], buf = [0.51, 2.98]
                backward(w, m);
                sgd.step(0.1);
                // g = [0.5 + 0.01 * 0.9031, 3 + 0.01 * -2.5662] = [0.509031, 2.974338]
                // buf = 0.9 * [0.51, 2.98] + g = [0.968031, 5.656338]
                // g + 0.9 buf = [1.3802589, 8.0650422]; w -= 0.1 * that -> [0.76507411, -3.37270422]
                float[] after = w.toFloatArray();
                assertThat(after[0]).isCloseTo(0.76507411f, within(1e-5f));
                assertThat(after[1]).isCloseTo(-3.37270422f, within(1e-5f));
                assertThat(w.getGradient().toFloatArray()).containsExactly(0f, 0f);
            }
        }
    }

    @Test
    void withoutMomentumAndDecayItIsPlainGradientDescent() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f, -2f});
            w.setRequiresGradient(true);
            try (NesterovSgd sgd = new NesterovSgd(List.of(w), 0, 0)) {
                backward(w, m);
                sgd.step(0.5);
                // w -= 0.5 * [0.5, 3] -> [0.75, -3.5]
                assertThat(w.toFloatArray()).containsExactly(0.75f, -3.5f);
            }
        }
    }
}

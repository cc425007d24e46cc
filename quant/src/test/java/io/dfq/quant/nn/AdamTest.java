package io.dfq.quant.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamTest {

    /** Records loss = sum(p^2) and back-propagates it: the gradient is 2p. */
    private static void backward(NDArray p) {
        try (Autograd g = Autograd.record()) {
            g.backward(p.square().sum());
        }
    }

    @Test
    void firstStepMovesEachCoordinateByTheLearningRate() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1f, -2f});
            p.setRequiresGradient(true);
            try (Adam adam = new Adam(List.of(p))) {
                backward(p);
                adam.step(0.1);
                // g = [2, -4]; m = 0.1 g = [0.2, -0.4]; v = 0.001 g^2 = [0.004, 0.016]
                // bias corrected: m / (1 - 0.9) = [2, -4]; v / (1 - 0.999) = [4, 16] -> sqrt [2, 4]
                // step = 0.1 * [2/2, -4/4] = [0.1, -0.1] -> p = [0.9, -1.9]
                float[] after = p.toFloatArray();
                assertThat(after[0]).isCloseTo(0.9f, within(1e-6f));
                assertThat(after[1]).isCloseTo(-1.9f, within(1e-6f));
                assertThat(p.getGradient().toFloatArray()).containsExactly(0f, 0f);
            }
        }
    }

    @Test
    void secondStepCombinesMomentsWithBiasCorrection() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1f, -2f});
            p.setRequiresGradient(true);
            try (Adam adam = new Adam(List.of(p))) {
                backward(p);
                adam.step(0.1); // p = [0.9, -1.9]; m = [0.2, -0.4]; v = [0.004, 0.016]
                backward(p);
                adam.step(0.1);
                // g = [1.8, -3.8]
                // m = 0.9 [0.2, -0.4] + 0.1 [1.8, -3.8] = [0.36, -0.74]; / (1 - 0.81) = [1.894737, -3.894737]
                // v = 0.999 [0.004, 0.016] + 0.001 [3.24, 14.44] = [0.007236, 0.030424]
                //   / (1 - 0.998001) = [3.619810, 15.219610] -> sqrt [1.902580, 3.901232]
                // step = 0.1 * [0.995878, -0.998335] -> p = [0.8004122, -1.8001665]
                float[] after = p.toFloatArray();
                assertThat(after[0]).isCloseTo(0.8004122f, within(2e-6f));
                assertThat(after[1]).isCloseTo(-1.8001665f, within(2e-6f));
            }
        }
    }

    @Test
    void customBetasAreUsed() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1f});
            p.setRequiresGradient(true);
            try (Adam adam = new Adam(List.of(p), 0.5, 0.999)) {
                backward(p); // g = 2
                adam.step(0.1); // first step is lr * sign(g) for any betas: p = 0.9
                backward(p); // g = 1.8
                adam.step(0.1);
                // m = 0.5 * 1 + 0.5 * 1.8 = 1.4 (m1 = 0.5 * 2 = 1); / (1 - 0.25) = 1.866667
                // v = 0.999 * 0.004 + 0.001 * 3.24 = 0.007236; / 0.001999 = 3.619810 -> sqrt 1.902580
                // step = 0.1 * 1.866667 / 1.902580 = 0.0981124 -> p = 0.8018876
                assertThat(p.toFloatArray()[0]).isCloseTo(0.8018876f, within(2e-6f));
            }
        }
    }
}

package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Init;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GeneratorNetTest {

    private static NDArray latents(NDManager m, int n, int dim, long seed) {
        return m.create(Init.gaussian(new Random(seed), new Shape(n, dim), 1.0), new Shape(n, dim));
    }

    @Test
    void gdfqAndGenieMakeBatchNormalizedImagesWithTheirParameterCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            GeneratorNet gdfq = GeneratorNet.gdfq(10, TeacherFixture.IMAGE, 0.0625, new Random(0));
            gdfq.init(m);
            GeneratorNet genie = GeneratorNet.genie(10, TeacherFixture.IMAGE, 0.0625, new Random(0));
            genie.init(m);
            // trainable: linear (w, b), first BN (gamma, beta), per hidden stage conv (w, b) and
            // BN (gamma, beta), output conv (w, b); the output BN has no affine parameters
            assertThat(GeneratorNet.trainable(gdfq)).hasSize(2 + 2 + 4 + 4 + 2);
            assertThat(GeneratorNet.trainable(genie)).hasSize(2 + 2 + 4 + 2);
            for (GeneratorNet g : List.of(gdfq, genie)) {
                NDArray x = g.apply(latents(m, 6, 10, 1), true);
                assertThat(x.getShape()).isEqualTo(new Shape(6, 1, 28, 28));
                // the affine-free output BN in training mode: batch mean 0, variance var / (var + eps) ~ 1
                float[] v = x.toFloatArray();
                double mean = 0;
                for (float f : v) {
                    mean += f / v.length;
                }
                double var = 0;
                for (float f : v) {
                    var += (f - mean) * (f - mean) / v.length;
                }
                assertThat(mean).isCloseTo(0, within(1e-5));
                assertThat(var).isCloseTo(1, within(1e-2));
            }
        }
    }

    @Test
    void aSeedFixesTheParametersAndEveryParameterLearns() {
        try (NDManager m = NDManager.newBaseManager()) {
            GeneratorNet a = GeneratorNet.gdfq(10, TeacherFixture.IMAGE, 0.0625, new Random(4));
            a.init(m);
            GeneratorNet b = GeneratorNet.gdfq(10, TeacherFixture.IMAGE, 0.0625, new Random(4));
            b.init(m);
            List<NDArray> pa = GeneratorNet.trainable(a);
            List<NDArray> pb = GeneratorNet.trainable(b);
            for (int i = 0; i < pa.size(); i++) {
                assertThat(pa.get(i).toFloatArray()).containsExactly(pb.get(i).toFloatArray());
            }
            try (NDScope scope = new NDScope(); Autograd g = Autograd.record()) {
                scope.suppressNotUsedWarning();
                NDArray x = a.apply(latents(m, 4, 10, 2), true);
                g.backward(x.mul(latents(m, 4, 784, 3).reshape(4, 1, 28, 28)).sum());
                for (NDArray p : pa) {
                    assertThat(p.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
                }
            }
        }
    }

    @Test
    void teacherTapsNeverSeeTheGeneratorsBatchNorms() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net teacher = TeacherFixture.teacher(m);
            GeneratorNet g = GeneratorNet.gdfq(10, TeacherFixture.IMAGE, 0.0625, new Random(0));
            g.init(m);
            try (BnStatistics taps = new BnStatistics(teacher)) {
                teacher.logits(g.apply(latents(m, 2, 10, 1), true), false);
                assertThat(taps.layers()).hasSize(teacher.batchNorms().size());
            }
        }
    }

    @Test
    void imageSidesMustBeMultiplesOfFour() {
        assertThatThrownBy(() -> GeneratorNet.gdfq(10, new Shape(1, 30, 30), 1, new Random(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("divisible by 4");
    }
}

package io.dfq.quant.quantize.ptq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.Segment;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Distillation;
import io.dfq.quant.pipeline.ProgressListener;
import io.dfq.quant.quantize.QuantFixture;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.recon.Reconstruction;
import io.dfq.quant.quantize.recon.Reconstruction.Granularity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PdQuantTest {

    @Test
    void predictionDifferenceIsTheBatchMeanKlOfTheTemperedSoftmaxes() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            // row 1 at T = 4: p_fp = (1/2, 1/2), p_q = softmax(ln 3, 0) = (3/4, 1/4):
            // KL = 1/2 ln((1/2) / (3/4)) + 1/2 ln((1/2) / (1/4)) = 1/2 ln(4/3); row 2 equal: 0
            NDArray fp = m.create(new float[] {0, 0, 1, 2}, new Shape(2, 2));
            NDArray q = m.create(new float[] {(float) (4 * Math.log(3)), 0, 1, 2}, new Shape(2, 2));
            double kl = Distillation.kl(fp, q, 4).getFloat();
            assertThat(kl).isCloseTo(Math.log(4.0 / 3) / 4, within(1e-6)); // 0.0719205
            assertThat(Distillation.kl(q, q, 4).getFloat()).isCloseTo(0f, within(1e-7f));
        }
    }

    @Test
    void distributionCorrectionLowersItsObjectiveAndLeavesUnitsWithoutBatchNormAlone() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Net teacher = QuantFixture.net("resnet8", 3, m);
            List<Segment> units = Reconstruction.units(teacher, Granularity.BLOCK);
            NDArray inputs = units.get(0).apply(QuantFixture.images(8, 1).batch(m, 0, 8), false);
            Segment block = units.get(1);
            PdQuant.Correction c = PdQuant.correct(teacher, block, inputs, 4, 20, 1e-2, 0.02, m);
            assertThat(c.inputs().getShape()).isEqualTo(inputs.getShape());
            assertThat(c.inputs().toFloatArray()).isNotEqualTo(inputs.toFloatArray());
            double before = objective(teacher, block, inputs, inputs);
            double after = objective(teacher, block, c.inputs(), inputs);
            // two equal batches: the set's objective is their mean
            assertThat(c.first()).isCloseTo(before, within(1e-4 * before));
            assertThat(c.last()).isLessThan(c.first());
            assertThat(after).isLessThan(0.99 * before);

            NDArray features = inputs;
            for (Segment s : units.subList(1, units.size() - 1)) {
                features = s.apply(features, false);
            }
            PdQuant.Correction none = PdQuant.correct(teacher, units.get(units.size() - 1), features, 4, 20, 1e-2,
                    0.02, m);
            assertThat(none.inputs()).isSameAs(features);
            assertThat(none.first()).isNaN();
        }
    }

    private static double objective(Net teacher, Segment unit, NDArray x, NDArray original) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return PdQuant.correctionObjective(teacher, unit, x, original, 0.02).getFloat();
        }
    }

    @Test
    void leavesIntegerWeightsAndReportsTheKlAndTheCorrection() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            List<String> messages = new ArrayList<>();
            QuantizationContext ctx = quantized(m, messages);
            for (QLayer l : ctx.network().layers()) {
                assertThat(l.quantized()).as(l.name()).isNotNull();
                assertThat(l.weightBits()).isIn(3, 8);
            }
            for (float v : logits(ctx, m)) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            // the unit's KL at every iteration (4 of 4); the correction of each unit with BN
            List<String> kl = messages.stream()
                    .filter(s -> s.startsWith("pdquant s2b1 iter ") && s.contains(" kl "))
                    .toList();
            assertThat(kl).hasSize(4);
            assertThat(kl.get(3)).startsWith("pdquant s2b1 iter 4/4 kl ");
            assertThat(Double.parseDouble(kl.get(3).substring(kl.get(3).lastIndexOf(' ') + 1))).isFinite();
            assertThat(messages).anyMatch(s -> s.startsWith("pdquant stem dc loss "))
                    .anyMatch(s -> s.startsWith("pdquant s3b1 dc loss "))
                    .noneMatch(s -> s.startsWith("pdquant fc dc loss "));
        }
    }

    @Test
    void aFixedSeedGivesTheSameQuantizedNetwork() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            float[] first = logits(quantized(m, new ArrayList<>()), m);
            float[] second = logits(quantized(m, new ArrayList<>()), m);
            assertThat(second).containsExactly(first);
        }
    }

    /** pdquant (4 iterations, 2 correction iterations) on 16 images at W3A4; progress into {@code messages}. */
    private static QuantizationContext quantized(NDManager m, List<String> messages) {
        Net teacher = QuantFixture.net("resnet8", 3, m);
        QuantizationContext fixture = QuantFixture.context("resnet8", 3, teacher, QuantFixture.images(16, 1),
                QuantFixture.params("pdquant", "iters", 4, "batch", 8, "dc_iters", 2, "dc_lr", 1e-2), 3, 4, m);
        ProgressListener progress = new ProgressListener() {
            @Override
            public void stage(String stage) {}

            @Override
            public void message(String text) {
                messages.add(text);
            }
        };
        QuantizationContext ctx = new QuantizationContext(fixture.network(), teacher, fixture.calibration(),
                fixture.params(), fixture.wbits(), fixture.abits(), fixture.protocol(), fixture.batch(),
                fixture.seed(), m, progress);
        try {
            Quantizer.REGISTRY.get("pdquant").quantize(ctx);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return ctx;
    }

    private static float[] logits(QuantizationContext ctx, NDManager m) {
        return ctx.network().logits(ctx.calibration().batch(m, 0, ctx.calibration().count()), false).toFloatArray();
    }
}

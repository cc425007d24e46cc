package io.dfq.quant.quantize.qat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.generate.GenerationContext;
import io.dfq.quant.generate.Generator;
import io.dfq.quant.generate.LiveGenerator;
import io.dfq.quant.generate.SyntheticSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.pipeline.ProgressListener;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.qcore.WeightQuantizer;
import io.dfq.quant.quantize.QuantFixture;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.spec.Params;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QatKdTest {

    @Test
    void lsqWeightsQuantizeAndPassHandWorkedGradientsToWeightsAndStep() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            QLayer l = QLayer.linear("toy", 4, 1, new Random(0));
            l.initialize(m, DataType.FLOAT32, new Shape(1, 4));
            l.weight().set(new float[] {0.3f, 0.9f, -0.2f, 1.4f});
            l.fold();
            // step 0.5, zero point 1, codes [0, 3]
            QParams q = new QParams(0.5f, 1, 0, 3);
            l.setQuantized(new WeightQuantizer.Quantized(new int[] {2, 3, 1, 3}, new QParams[] {q}), 2, m);
            LsqWeights lsq = new LsqWeights(l, m);
            float[] value;
            try (Autograd g = Autograd.record()) {
                NDArray w = lsq.quantizedWeight();
                value = w.toFloatArray();
                g.backward(w.sum());
            }
            // w / s = 0.6, 1.8, -0.4, 2.8 -> round 1, 2, 0, 3 -> + z = 2, 3, 1, 4 -> clip 3 -> - z -> x 0.5
            assertThat(value).containsExactly(new float[] {0.5f, 1.0f, 0f, 1.0f}, within(1e-6f));
            // straight through inside the range, 0 where clipped
            assertThat(l.weight().getGradient().toFloatArray()).containsExactly(1f, 1f, 1f, 0f);
            // d/ds: round(v) - v inside, qmax - z clipped: 0.4 + 0.2 + 0.4 + 2 = 3, times 1 / sqrt(4 * 3)
            assertThat(lsq.step().getGradient().getFloat()).isCloseTo((float) (3 / Math.sqrt(12)), within(1e-5f));
            lsq.step().subi(lsq.step().getGradient().mul(0.1)); // an SGD step of lr 0.1
            WeightQuantizer.Quantized fixed = lsq.finish(m);
            assertThat(fixed.channels()[0].scale()).isCloseTo(0.5f - 0.1f * (float) (3 / Math.sqrt(12)), within(1e-5f));
            assertThat(l.quantized()).isSameAs(fixed);
        }
    }

    @Test
    void distillationLowersTheLossEpochByEpochAndTheExportedModelReproducesTheNetwork(@TempDir Path dir)
            throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Map<String, Double> metrics = new TreeMap<>();
            QuantizationContext ctx = QuantFixture.training(QuantFixture.params("qat-kd", "epochs", 4, "batch", 16,
                    "lr", 0.02, "w_ce", 0.5, "augment", false), 4, 4, m, metrics);
            Quantizer.REGISTRY.get("qat-kd").quantize(ctx);
            assertThat(metrics).containsOnlyKeys("qat_loss_epoch_01", "qat_loss_epoch_02", "qat_loss_epoch_03",
                    "qat_loss_epoch_04");
            assertThat(metrics.get("qat_loss_epoch_04")).isLessThan(metrics.get("qat_loss_epoch_01"));
            for (QLayer l : ctx.network().layers()) {
                assertThat(l.quantized()).as(l.name()).isNotNull();
            }
            QuantFixture.assertReloadsExactly(ctx, dir.resolve("m.dfqm"));
        }
    }

    @Test
    void aFixedSetIsCroppedAndFlippedPerBatchAndTheTeacherLabelsTheAugmentedImages() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            for (boolean augment : new boolean[] {true, false}) {
                QuantizationContext ctx = QuantFixture.training(
                        QuantFixture.params("qat-kd", "epochs", 2, "batch", 16, "augment", augment), 4, 4, m,
                        new TreeMap<>());
                Quantizer qatKd = Quantizer.REGISTRY.get("qat-kd");
                Params p = Params.of(qatKd, ctx.params());
                Set<List<Float>> calibration = new HashSet<>();
                ImageSet images = ctx.calibration();
                for (int i = 0; i < images.count(); i++) {
                    calibration.add(image(images.data(), i * images.imageSize(), images.imageSize()));
                }
                NDArray bias = ctx.network().layers().get(ctx.network().layers().size() - 1).bias();
                bias.setRequiresGradient(true);
                List<float[]> batches = new ArrayList<>();
                KdTraining.run("qat-kd", ctx, new KdTraining.Trained(List.of(bias), List.of()) {
                    @Override
                    public void install() {}

                    @Override
                    public NDArray loss(Net net, KdTraining.Batch batch, KdTraining.Settings s) {
                        NDArray teacherLogits = Autograd.noGrad(() -> ctx.teacher().logits(batch.images(), false));
                        assertThat(batch.teacherLogits().toFloatArray())
                                .containsExactly(teacherLogits.toFloatArray(), within(1e-4f));
                        batches.add(batch.images().toFloatArray());
                        return KdTraining.distillation(net.logits(batch.images(), false), batch, s);
                    }
                }, KdTraining.Settings.of(p), false);
                // 48 images in batches of 16, 2 epochs
                assertThat(batches).hasSize(6);
                int size = images.imageSize();
                long known = batches.stream()
                        .flatMap(b -> IntStream.range(0, b.length / size).mapToObj(i -> image(b, i * size, size)))
                        .filter(calibration::contains).count();
                assertThat(known).as("augment " + augment).isEqualTo(augment ? 0 : 96);
            }
        }
    }

    private static List<Float> image(float[] pixels, int from, int size) {
        List<Float> out = new ArrayList<>(size);
        for (int i = from; i < from + size; i++) {
            out.add(pixels[i]);
        }
        return out;
    }

    /** A data-free context for {@code generator} (2 iterations, batch 8) making {@code samples} images. */
    private static GenerationContext generation(Net teacher, String generator, int samples, NDManager m) {
        return new GenerationContext(teacher, QuantFixture.params(generator, "iters", 2, "batch", 8), samples,
                QuantFixture.IMAGE, 0, () -> {
                    throw new AssertionError("data-free");
                }, m, ProgressListener.NONE);
    }

    @Test
    void withGdfqDataTheStudentLearnsFromFreshBatchesWhileTheResumedGeneratorKeepsTraining() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Net teacher = QuantFixture.net("resnet8", 3, m);
            GenerationContext gen = generation(teacher, "gdfq", 16, m);
            Generator gdfq = Generator.REGISTRY.get("gdfq");
            SyntheticSet set = gdfq.generate(gen);
            assertThat(set.generatorState()).isNotEmpty();
            for (boolean joint : new boolean[] {true, false}) {
                Map<String, Double> metrics = new TreeMap<>();
                QuantizationContext base = QuantFixture.context("resnet8", 3, teacher, set.images(),
                        QuantFixture.params("qat-kd", "epochs", 2, "batch", 8, "joint", joint), 4, 4, m);
                QuantizationContext ctx = QuantFixture.recording(base, metrics)
                        .withLiveGenerator(() -> gdfq.resume(gen, set.generatorState()));
                Quantizer.REGISTRY.get("qat-kd").quantize(ctx);
                if (joint) {
                    assertThat(metrics).containsKeys("qat_generator_ce_epoch_01", "qat_generator_ce_epoch_02");
                    assertThat(metrics.get("qat_generator_ce_epoch_02")).isFinite();
                } else {
                    assertThat(metrics).doesNotContainKey("qat_generator_ce_epoch_01");
                }
                assertThat(metrics.get("qat_loss_epoch_02")).isFinite();
            }
        }
    }

    @Test
    void aResumedGeneratorSamplesLabelledImagesAndItsStepsChangeThem() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Net teacher = QuantFixture.net("resnet8", 3, m);
            GenerationContext gen = generation(teacher, "qimera", 8, m);
            Generator qimera = Generator.REGISTRY.get("qimera");
            SyntheticSet set = qimera.generate(gen);
            try (LiveGenerator a = qimera.resume(gen, set.generatorState()).orElseThrow();
                    LiveGenerator b = qimera.resume(gen, set.generatorState()).orElseThrow()) {
                ImageSet first = a.sample(6);
                assertThat(first.count()).isEqualTo(6);
                assertThat(first.hasLabels()).isTrue();
                // same state and seed: same samples until one of them trains
                assertThat(b.sample(6).data()).containsExactly(first.data());
                assertThat(a.step()).isFinite();
                b.step();
                assertThat(a.sample(6).data()).isNotEqualTo(first.data());
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"qat-kd, 4", "lqnets, 4", "dirnet, 1", "once-qat, 8"})
    void aDivergingTrainingFailsNamingTheEpochAndTheLoss(String method, int bits) {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Net teacher = QuantFixture.nanNet("resnet8", 3, m); // so is the distillation loss
            QuantizationContext ctx = QuantFixture.context("resnet8", 3, teacher, QuantFixture.images(16, 1),
                    QuantFixture.params(method, "epochs", 2, "batch", 8), bits, bits, m);
            assertThatThrownBy(() -> Quantizer.REGISTRY.get(method).quantize(ctx))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage(method + " training diverged at epoch 1, batch 1: loss NaN");
        }
    }
}

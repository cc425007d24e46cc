package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.pipeline.ProgressListener;
import java.util.List;
import org.junit.jupiter.api.Test;

class GzsqTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Shape IMAGE = new Shape(1, 28, 28);
    private static final float S = 1e-6f;

    @Test
    void esaResizesChannelStatisticsWithTheChosenEmpiricalValue() {
        double[] v = {1, 2, 6}; // min 1, mean 3, max 6
        assertThat(Gzsq.adjust(v, 2, "min")).containsExactly(1, 1);
        assertThat(Gzsq.adjust(v, 2, "mean_minus_min")).containsExactly(2, 2);
        assertThat(Gzsq.adjust(v, 2, "mean_plus_min")).containsExactly(4, 4);
        assertThat(Gzsq.adjust(v, 2, "mean")).containsExactly(3, 3);
        assertThat(Gzsq.adjust(v, 2, "max_minus_mean")).containsExactly(3, 3);
        assertThat(Gzsq.adjust(v, 2, "max_plus_mean")).containsExactly(9, 9);
        assertThat(Gzsq.adjust(v, 1, "max")).containsExactly(6);
        // expansion keeps the existing channels and fills the new ones
        assertThat(Gzsq.adjust(v, 5, "mean_plus_min")).containsExactly(1, 2, 6, 4, 4);
        assertThat(Gzsq.adjust(v, 3, "max")).isSameAs(v);
    }

    @Test
    void statisticsEstimationAddsWeightMomentsToTheInputMoments() {
        // 2 output channels, fan-in 2: rows [1, 3] (mean 2, std 1) and [2, 2] (mean 2, std 0); bias [0.5, -1]
        float[] w = {1, 3, 2, 2};
        float[] b = {0.5f, -1};
        Gzsq.Target in = new Gzsq.Target(new double[] {0.2, 0.4}, new double[] {1, 2});
        Gzsq.Target out = Gzsq.propagate(in, w, b, 2, "mean", "mean");
        // mean: 2 + 0.2 + 0.5 = 2.7, 2 + 0.4 - 1 = 1.4; std: sqrt(1 + 1), sqrt(0 + 4)
        assertThat(out.mean()).containsExactly(new double[] {2.7, 1.4}, within(1e-12));
        assertThat(out.std()).containsExactly(new double[] {Math.sqrt(2), 2}, within(1e-12));
        // from one input channel N(0, 1): the second channel is filled (mean: 0; std: mean + min = 2)
        Gzsq.Target image = new Gzsq.Target(new double[] {0}, new double[] {1});
        Gzsq.Target first = Gzsq.propagate(image, w, new float[2], 2, "mean", "mean_plus_min");
        assertThat(first.mean()).containsExactly(new double[] {2, 2}, within(1e-12));
        assertThat(first.std())
                .containsExactly(new double[] {Math.sqrt(1 + 1), Math.sqrt(0 + 4)}, within(1e-12));
    }

    @Test
    void batchNormIsFoldedIntoTheTargetWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net net = Models.build("resnet8", 0.25, 1, 10, 1);
            net.init(m, IMAGE);
            QLayer stem = net.layers().get(0); // 4 channels, 1 x 3 x 3 kernels, bias 0
            TapBatchNorm bn = stem.batchNorm();
            bn.gamma().set(new float[] {2f, -1f, 0.5f, 1f});
            bn.beta().set(new float[] {0.5f, 0f, 1f, -2f});
            bn.runningMean().set(new float[] {1f, -1f, 0f, 0.5f});
            bn.runningVar().set(new float[] {3f, 1f, 4f, 0.25f});
            float w0 = stem.weight().toFloatArray()[0];
            float[][] folded = Gzsq.folded(stem);
            // channel 0: factor 2 / sqrt(3 + 1e-5); bias (0 - 1) * factor + 0.5
            double f = 2 / Math.sqrt(3 + 1e-5);
            assertThat(folded[0][0]).isCloseTo((float) (w0 * f), within(1e-6f));
            assertThat(folded[1][0]).isCloseTo((float) (-f + 0.5), within(1e-6f));
            // the same as the model's own folding
            stem.fold();
            assertThat(folded[0]).containsExactly(stem.weight().toFloatArray(), within(1e-6f));
            assertThat(folded[1]).containsExactly(stem.bias().toFloatArray(), within(1e-6f));
            assertThat(Gzsq.folded(stem)[0]).containsExactly(stem.weight().toFloatArray());
        }
    }

    @Test
    void distancesMatchTheHandValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mean = m.create(new float[] {1, 3});
            NDArray std = m.create(new float[] {1, 2});
            NDArray tMean = m.create(new float[] {0, 3});
            NDArray tStd = m.create(new float[] {1, 1});
            // z-score: channel 0: 1 / sqrt(2 (1 + 1e-6)^2) = 0.7071061; channel 1: 0 -> mean 0.3535531
            assertThat(Gzsq.distance(mean, std, tMean, tStd, Gzsq.Distance.ZSCORE, S).getFloat())
                    .isCloseTo(0.3535531f, within(1e-6f));
            // L2: channel 0: 1^2 + 0^2; channel 1: 0^2 + (2 - 1)^2 -> mean 1
            assertThat(Gzsq.distance(mean, std, tMean, tStd, Gzsq.Distance.L2, S).getFloat())
                    .isCloseTo(1f, within(1e-6f));
            // input term: one image [0, 2, 0, 2]: mean 1, std sqrt(1 + 1e-5) = 1.000005;
            // 1 / sqrt(1.000006^2 + 1.000001^2) = 1 / sqrt(2.000014) = 0.7071043
            NDArray x = m.create(new float[] {0, 2, 0, 2}, new Shape(1, 1, 2, 2));
            assertThat(Gzsq.inputLoss(x, Gzsq.Distance.ZSCORE, S).getFloat()).isCloseTo(0.7071043f, within(1e-6f));
            // layer term: the sum over layers, each against its own target
            List<PreActivations.Moments> observed = List.of(
                    new PreActivations.Moments(1, mean, std), new PreActivations.Moments(0, tMean, tStd));
            NDArray[][] targets = {{tMean, tStd}, {tMean, tStd}};
            assertThat(Gzsq.layerLoss(observed, targets, Gzsq.Distance.ZSCORE, S).getFloat())
                    .isCloseTo(0.3535531f, within(1e-6f));
        }
    }

    @Test
    void theFixedZScoreHasTheSameValueAndNoGradientThroughTheSpread() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray tMean = m.create(new float[] {0, 3});
            NDArray tStd = m.create(new float[] {1, 1});
            float[] values = new float[2];
            float[][] spreadGradients = new float[2][];
            Gzsq.Distance[] kinds = {Gzsq.Distance.ZSCORE, Gzsq.Distance.ZSCORE_FIXED};
            for (int k = 0; k < kinds.length; k++) {
                NDArray mean = m.create(new float[] {1, 2});
                NDArray std = m.create(new float[] {1, 2});
                mean.setRequiresGradient(true);
                std.setRequiresGradient(true);
                try (Autograd g = Autograd.record()) {
                    NDArray d = Gzsq.distance(mean, std, tMean, tStd, kinds[k], S);
                    values[k] = d.getFloat();
                    g.backward(d);
                }
                spreadGradients[k] = std.getGradient().toFloatArray();
                // d/dmu of 0.5 * |mu - mu_t| / spread: sign(gap) * 0.5 / spread, in both
                assertThat(mean.getGradient().toFloatArray())
                        .containsExactly(new float[] {0.5f / (float) Math.sqrt(2), -0.5f / (float) Math.sqrt(5)},
                                within(1e-5f));
            }
            // 0.5 * (1 / sqrt(2) + 1 / sqrt(5)) = 0.5 * (0.7071068 + 0.4472136) = 0.5771602
            assertThat(values[0]).isCloseTo(0.5771602f, within(1e-6f));
            assertThat(values[1]).isEqualTo(values[0]);
            // the paper's z-score falls as sigma grows: d/dsigma = -0.5 * |gap| * sigma / spread^3
            assertThat(spreadGradients[0])
                    .containsExactly(new float[] {-0.5f / (float) Math.pow(2, 1.5), -1f / (float) Math.pow(5, 1.5)},
                            within(1e-5f));
            assertThat(spreadGradients[1]).containsExactly(0f, 0f);
        }
    }

    @Test
    void observesEveryLayerOfABatchNormNetworkAsItsFoldedOutput() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Net net = Models.build("resnet8", 0.25, 1, 10, 2);
            net.init(m, IMAGE);
            TapBatchNorm bn = net.batchNorms().get(0);
            bn.gamma().set(new float[] {2f, -1f, 0.5f, 1f});
            bn.beta().set(new float[] {0.5f, 0f, 1f, -2f});
            bn.runningMean().set(new float[] {1f, -1f, 0f, 0.5f});
            bn.runningVar().set(new float[] {3f, 1f, 4f, 0.25f});
            NDArray x = m.randomNormal(new Shape(3, 1, 28, 28));
            try (PreActivations layers = PreActivations.of(net, x)) {
                List<PreActivations.Moments> observed = layers.observe(x);
                // 9 BN layers, then the classifier
                assertThat(observed).hasSize(10);
                assertThat(observed.get(9).layer()).isEqualTo(net.layers().size() - 1);
                NDArray[] stem = TapBatchNorm.channelStats(net.layers().get(0).apply(x, false));
                assertThat(observed.get(0).layer()).isZero();
                assertThat(observed.get(0).mean().toFloatArray())
                        .containsExactly(stem[0].toFloatArray(), within(1e-4f));
                assertThat(observed.get(0).std().toFloatArray())
                        .containsExactly(stem[1].add(TapBatchNorm.EPS).sqrt().toFloatArray(), within(1e-4f));
                NDArray[] logits = TapBatchNorm.channelStats(net.logits(x, false));
                assertThat(observed.get(9).mean().toFloatArray())
                        .containsExactly(logits[0].toFloatArray(), within(1e-5f));
            }
        }
    }

    @Test
    void replaysLeNetLayerByLayer() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Net net = Models.build("lenet5", 0.5, 1, 10, 2);
            net.init(m, IMAGE);
            NDArray x = m.randomNormal(new Shape(3, 1, 28, 28));
            try (PreActivations layers = PreActivations.of(net, x)) {
                List<PreActivations.Moments> observed = layers.observe(x);
                assertThat(observed).extracting(PreActivations.Moments::layer).containsExactly(0, 1, 2, 3, 4);
                NDArray[] conv1 = TapBatchNorm.channelStats(net.layers().get(0).apply(x, false));
                assertThat(observed.get(0).mean().toFloatArray())
                        .containsExactly(conv1[0].toFloatArray(), within(1e-5f));
                NDArray[] logits = TapBatchNorm.channelStats(net.logits(x, false));
                assertThat(observed.get(4).mean().toFloatArray())
                        .containsExactly(logits[0].toFloatArray(), within(1e-5f));
            }
            assertThat(Gzsq.targets(net, 1, "mean", "mean_plus_min")).hasSize(5);
        }
    }

    private static ObjectNode params(int iters) {
        ObjectNode p = JSON.createObjectNode();
        p.put("name", "gzsq");
        p.put("iters", iters);
        p.put("batch", 8);
        return p;
    }

    private static SyntheticSet run(Net teacher, ObjectNode params, int samples, long seed, NDManager m) {
        return new Gzsq().generate(new GenerationContext(teacher, params, samples, IMAGE, seed, () -> {
            throw new AssertionError("gzsq is data-free");
        }, m, ProgressListener.NONE));
    }

    private static Net net(String arch, double width, NDManager m) {
        Net net = Models.build(arch, width, 1, 10, 4);
        net.init(m, IMAGE);
        return net;
    }

    @Test
    void aShortRunOnLeNetLowersTheLayerTerm() {
        try (NDManager m = NDManager.newBaseManager()) {
            SyntheticSet s = run(net("lenet5", 0.5, m), params(10), 8, 3, m);
            assertThat(s.images().count()).isEqualTo(8);
            assertThat(s.images().hasLabels()).isFalse();
            assertThat(s.stats()).containsEntry("iterations", 10.0).containsEntry("layers_matched", 5.0);
            assertThat(s.stats().get("loss_layers_final")).isLessThan(s.stats().get("loss_layers_initial"));
            assertThat(s.stats().get("loss_input_final")).isGreaterThanOrEqualTo(0.0);
        }
    }

    @Test
    void aShortRunOnABatchNormNetworkLowersTheLayerTerm() {
        try (NDManager m = NDManager.newBaseManager()) {
            SyntheticSet s = run(net("resnet8", 0.25, m), params(5), 8, 3, m);
            assertThat(s.stats()).containsEntry("layers_matched", 10.0);
            assertThat(s.stats().get("loss_layers_final")).isLessThan(s.stats().get("loss_layers_initial"));
        }
    }

    @Test
    void isDeterministicForAFixedSeed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = net("lenet5", 0.5, m);
            float[] a = run(t, params(2), 10, 11, m).images().data();
            float[] b = run(t, params(2), 10, 11, m).images().data();
            float[] c = run(t, params(2), 10, 12, m).images().data();
            assertThat(a).containsExactly(b);
            assertThat(c).isNotEqualTo(a);
        }
    }

    @Test
    void servesModelsWithAndWithoutBatchNorm() {
        for (String model : Models.names()) {
            ObjectNode trial = JSON.createObjectNode();
            trial.putObject("teacher").put("model", model);
            assertThat(new Gzsq().unsupportedReason(trial)).isEmpty();
        }
    }
}

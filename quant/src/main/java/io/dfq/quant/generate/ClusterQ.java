package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Init;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ClusterQ (Y. Gao, Z. Zhang, R. Hong, H. Zhang, J. Fan, S. Yan, M. Wang, "ClusterQ: Semantic
 * Feature Distribution Alignment for Data-Free Quantization", arXiv 2205.00179, 2022), as pixel
 * synthesis: the paper trains a GDFQ-style generator; here its losses drive the pixels of each batch,
 * like ZeroQ, so the method pairs with any quantizer.
 *
 * <p>The paper's semantic features are the BN statistics of the deep layers, which cluster by class
 * (reference code: github.com/DiamondSheep/ClusterQ, {@code trainer.py}).
 * Image i has label y_i = i mod K, and L = w_ce CE(z, y) + w_bn L_BN + w_cluster L_C + w_div L_D:
 * <ul>
 *   <li>L_BN = (1/L) sum_l mean_c (mu_l - mu_bn)^2 + (var_l - var_bn)^2 over the batch statistics
 *       of every BN layer (the GDFQ form of the reference code, which also weights it 0.1);
 *   <li>L_C, class-wise feature distribution alignment: for the deep layers l >= s (s = (L + 1) / 2
 *       - 2 as in the code, or {@code start_layer}), (1/|D|) sum_l (1/|P|) sum_{k in P} mean_c
 *       (mu_lk - m_lk)^2 + (var_lk - v_lk)^2, where mu_lk, var_lk are the statistics of layer l's
 *       input over the batch's images of class k, P the classes present, and (m_lk, v_lk) class k's
 *       centroid. Centroids start at the running statistics and, after every batch, move by an
 *       exponential moving average with momentum {@code ema} = 0.2 towards the class statistics of
 *       the batch's images that the teacher assigns to their label (the code's soft_decay and its
 *       correct-prediction check, there applied between generator epochs);
 *   <li>L_D, diversity against class-wise mode collapse: the mean, over classes with at least two
 *       images in the batch, of the mean pairwise cosine similarity of the penultimate features of
 *       the class's distinct images. The code's own diversity term (the MSE between a statistic and
 *       the same statistic plus uniform noise) has no gradient, so this form is ours.
 * </ul>
 * Defaults: the code's weights (CE 1, BN 0.1, cluster 0.9; diversity 0.1, the weight of the code's
 * term) and ZeroQ's pixel schedule (Adam lr 0.5, 500 iterations, plateau patience 100, floor 1e-4),
 * batch 256.
 */
public final class ClusterQ implements Generator {

    @Override
    public String name() {
        return "clusterq";
    }

    @Override
    public List<ParamSpec> params() {
        return PixelOptimization.params(500, 256, 1, 100,
                ParamSpec.real("w_ce", 1.0, 0, 1000, "weight of the cross-entropy on the label"),
                ParamSpec.real("w_bn", 0.1, 0, 1000, "weight of the BN-statistics loss"),
                ParamSpec.real("w_cluster", 0.9, 0, 1000, "weight of the class-centroid alignment"),
                ParamSpec.real("w_div", 0.1, 0, 1000, "weight of the within-class cosine similarity"),
                ParamSpec.real("ema", 0.2, 0, 1, "centroid moving-average momentum"),
                ParamSpec.optionalInteger("start_layer", 0, 10000,
                        "first BN layer of the class-wise alignment; unset = (L + 1) / 2 - 2"));
    }

    @Override
    public Optional<String> unsupportedReason(JsonNode trial) {
        return BnRequirement.check(this, trial);
    }

    @Override
    public SyntheticSet generate(GenerationContext ctx) {
        Params p = Params.of(this, ctx.params());
        Net teacher = ctx.teacher();
        BnRequirement.require(this, teacher);
        int batch = p.getInt("batch");
        int classes = teacher.classes();
        List<TapBatchNorm> bns = teacher.batchNorms();
        Centroids centroids = new Centroids(bns.subList(startLayer(p, bns.size()), bns.size()), classes,
                p.getDouble("ema"));
        Shape img = ctx.imageShape();
        int size = (int) img.size();
        BatchRun run = new BatchRun(ctx.seed());
        float[] out = new float[ctx.samples() * size];
        int batches = (ctx.samples() + batch - 1) / batch;
        for (int b = 0, from = 0; from < ctx.samples(); b++, from += batch) {
            int n = Math.min(batch, ctx.samples() - from);
            int[] y = ClassLabels.roundRobin(from, n, classes);
            float[] pixels = run.batch(ctx, b, () -> {
                float[] init = Init.gaussian(run.rnd(), new Shape(n).addAll(img), 1.0);
                optimizeBatch(ctx, init, y, centroids, p, run.terms());
                return init;
            });
            updateCentroids(ctx, pixels, y, centroids);
            System.arraycopy(pixels, 0, out, from * size, n * size);
            LossTerms terms = run.terms();
            ctx.progress().message(String.format("clusterq batch %d/%d: loss %.4f -> %.4f", b + 1, batches,
                    terms.first(LossTerms.TOTAL), terms.last(LossTerms.TOTAL)));
            terms.endBatch();
        }
        Map<String, Double> stats = run.terms().stats();
        stats.put("iterations", (double) p.getInt("iters"));
        stats.put("start_layer", (double) (bns.size() - centroids.layers()));
        return new SyntheticSet(new ImageSet(out, ClassLabels.roundRobin(0, ctx.samples(), classes),
                ctx.samples(), (int) img.get(0), (int) img.get(1), (int) img.get(2)), stats);
    }

    /** The first deep BN layer: {@code start_layer}, or the reference code's (L + 1) / 2 - 2. */
    static int startLayer(Params p, int layers) {
        boolean set = p.getString("start_layer") != null;
        int start = set ? p.getInt("start_layer") : Math.max(0, (layers + 1) / 2 - 2);
        if (start >= layers) {
            throw new IllegalArgumentException("generator 'clusterq': start_layer " + start
                    + " but the teacher has " + layers + " BN layers");
        }
        return start;
    }

    /** The arrays of one batch that stay fixed over its iterations. */
    private record BatchArrays(NDArray batchWeights, NDArray classWeights, NDArray presentWeights,
            NDArray pairWeights, boolean hasPairs, NDArray oneHot, List<NDArray[]> centroids) {

        static BatchArrays of(NDManager m, int[] labels, int classes, Centroids centroids) {
            int n = labels.length;
            float[] uniform = new float[n];
            Arrays.fill(uniform, 1f / n);
            float[] pairs = ClusterQ.pairWeights(labels, classes);
            boolean hasPairs = false;
            for (float v : pairs) {
                hasPairs |= v > 0;
            }
            float[] oneHot = new float[n * classes];
            for (int i = 0; i < n; i++) {
                oneHot[i * classes + labels[i]] = 1;
            }
            return new BatchArrays(m.create(uniform, new Shape(1, n)),
                    m.create(ClusterQ.classWeights(labels, classes, null), new Shape(classes, n)),
                    m.create(ClusterQ.presentWeights(labels, classes)),
                    m.create(pairs, new Shape(n, n)),
                    hasPairs,
                    m.create(oneHot, new Shape(n, classes)),
                    centroids.arrays(m));
        }
    }

    private void optimizeBatch(GenerationContext ctx, float[] pixels, int[] labels, Centroids centroids,
            Params p, LossTerms terms) {
        Net teacher = ctx.teacher();
        int n = labels.length;
        try (NDManager batchManager = ctx.manager().newSubManager();
                SampleBnStatistics taps = new SampleBnStatistics(teacher)) {
            NDArray x = batchManager.create(pixels, new Shape(n).addAll(ctx.imageShape()));
            x.setRequiresGradient(true);
            BatchArrays arrays = BatchArrays.of(batchManager, labels, centroids.classes(), centroids);
            PixelOptimization.run(name(), x, p, it -> {
                taps.clear();
                return objective(teacher, x, taps, arrays, p, terms);
            }, loss -> terms.total(name(), loss));
            float[] result = x.toFloatArray();
            System.arraycopy(result, 0, pixels, 0, result.length);
        }
    }

    /** The weighted objective of one iteration (null when every weight is 0). */
    private static NDArray objective(Net teacher, NDArray x, SampleBnStatistics taps, BatchArrays a, Params p,
            LossTerms terms) {
        NDArray features = teacher.features(x, false);
        NDArray logits = teacher.classify(features, false);
        List<SampleBnStatistics.Layer> layers = taps.layers();
        NDArray loss = null;
        if (p.getDouble("w_ce") > 0) {
            loss = terms.add(loss, "ce", p.getDouble("w_ce"), crossEntropy(logits, a.oneHot()));
        }
        if (p.getDouble("w_bn") > 0) {
            loss = terms.add(loss, "bn", p.getDouble("w_bn"), bnLoss(layers, a.batchWeights()));
        }
        if (p.getDouble("w_cluster") > 0) {
            List<SampleBnStatistics.Layer> deep = deepLayers(layers, a.centroids().size());
            NDArray cluster = clusterLoss(deep, a.classWeights(), a.presentWeights(), a.centroids());
            loss = terms.add(loss, "cluster", p.getDouble("w_cluster"), cluster);
        }
        if (p.getDouble("w_div") > 0 && a.hasPairs()) {
            loss = terms.add(loss, "div", p.getDouble("w_div"), diversity(features, a.pairWeights()));
        }
        return loss;
    }

    /** The last {@code count} observed layers: the deep layers of the class-wise alignment. */
    private static List<SampleBnStatistics.Layer> deepLayers(List<SampleBnStatistics.Layer> layers,
            int count) {
        return layers.subList(layers.size() - count, layers.size());
    }

    /** Mean over images of -log softmax(z_i)_y_i. */
    static NDArray crossEntropy(NDArray logits, NDArray oneHot) {
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
    }

    /** (1/L) sum_l mean_c (mu_l - mu_bn)^2 + (var_l - var_bn)^2 of the batch statistics. */
    static NDArray bnLoss(List<SampleBnStatistics.Layer> layers, NDArray batchWeights) {
        NDArray total = null;
        for (SampleBnStatistics.Layer l : layers) {
            NDArray[] s = SampleBnStatistics.pooled(l, batchWeights);
            NDArray term = distance(s[0], s[1], l.bn().runningMean(), l.bn().runningVar()).sum();
            total = total == null ? term : total.add(term);
        }
        return Scalars.div(total, layers.size());
    }

    /**
     * L_C: per deep layer, the class statistics' distances to the centroids weighted by {@code
     * presentWeights} (1 / |P| for present classes, 0 otherwise), averaged over the layers.
     */
    static NDArray clusterLoss(List<SampleBnStatistics.Layer> deep, NDArray classWeights,
            NDArray presentWeights, List<NDArray[]> centroids) {
        NDArray total = null;
        for (int j = 0; j < deep.size(); j++) {
            NDArray[] s = SampleBnStatistics.pooled(deep.get(j), classWeights);
            NDArray[] c = centroids.get(j);
            NDArray term = distance(s[0], s[1], c[0], c[1]).mul(presentWeights).sum();
            total = total == null ? term : total.add(term);
        }
        return Scalars.div(total, deep.size());
    }

    /** Per row g: mean_c (mean_gc - m_gc)^2 + (var_gc - v_gc)^2 (targets broadcast). */
    static NDArray distance(NDArray mean, NDArray var, NDArray targetMean, NDArray targetVar) {
        NDArray meanTerm = mean.sub(targetMean).square().mean(new int[] {1});
        return meanTerm.add(var.sub(targetVar).square().mean(new int[] {1}));
    }

    /** L_D = sum_ij W_ij cos(f_i, f_j), W from {@link #pairWeights}. */
    static NDArray diversity(NDArray features, NDArray pairWeights) {
        NDArray norms = Scalars.max(features.square().sum(new int[] {1}, true).sqrt(), 1e-6);
        NDArray unit = features.div(norms);
        return unit.matMul(unit.transpose()).mul(pairWeights).sum();
    }

    /**
     * Row k of the (K x N) matrix holds 1 / n_k for the images of class k (among those with
     * {@code keep} true; all when null), so that its product with per-image statistics gives class means.
     */
    static float[] classWeights(int[] labels, int classes, boolean[] keep) {
        int n = labels.length;
        int[] count = new int[classes];
        for (int i = 0; i < n; i++) {
            count[labels[i]] += keep == null || keep[i] ? 1 : 0;
        }
        float[] w = new float[classes * n];
        for (int i = 0; i < n; i++) {
            if (keep == null || keep[i]) {
                w[labels[i] * n + i] = 1f / count[labels[i]];
            }
        }
        return w;
    }

    /** 1 / |P| for every class present among the labels, 0 for the others. */
    static float[] presentWeights(int[] labels, int classes) {
        boolean[] present = new boolean[classes];
        int count = 0;
        for (int y : labels) {
            count += present[y] ? 0 : 1;
            present[y] = true;
        }
        float[] w = new float[classes];
        for (int k = 0; k < classes; k++) {
            w[k] = present[k] ? 1f / count : 0;
        }
        return w;
    }

    /**
     * W_ij = 1 / (n_k (n_k - 1) |Q|) for distinct images i, j of the same class k, Q the classes with
     * at least two images: the mean over Q of each class's mean pairwise similarity.
     */
    static float[] pairWeights(int[] labels, int classes) {
        int n = labels.length;
        int[] count = new int[classes];
        for (int y : labels) {
            count[y]++;
        }
        int pairs = 0;
        for (int c : count) {
            pairs += c >= 2 ? 1 : 0;
        }
        float[] w = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int k = labels[i];
                if (i != j && labels[j] == k) {
                    w[i * n + j] = 1f / ((float) count[k] * (count[k] - 1) * pairs);
                }
            }
        }
        return w;
    }

    /** Moves the centroids towards the class statistics of the finished images the teacher gets right. */
    private static void updateCentroids(GenerationContext ctx, float[] pixels, int[] labels,
            Centroids centroids) {
        Net teacher = ctx.teacher();
        int n = labels.length;
        int classes = centroids.classes();
        try (NDManager m = ctx.manager().newSubManager();
                SampleBnStatistics taps = new SampleBnStatistics(teacher);
                Autograd off = Autograd.off()) {
            NDArray x = m.create(pixels, new Shape(n).addAll(ctx.imageShape()));
            long[] predicted = teacher.logits(x, false).argMax(1).toLongArray();
            boolean[] correct = new boolean[n];
            for (int i = 0; i < n; i++) {
                correct[i] = predicted[i] == labels[i];
            }
            NDArray weights = m.create(classWeights(labels, classes, correct), new Shape(classes, n));
            List<SampleBnStatistics.Layer> deep = deepLayers(taps.layers(), centroids.layers());
            float[] rowSums = weights.sum(new int[] {1}).toFloatArray();
            for (int j = 0; j < deep.size(); j++) {
                NDArray[] s = SampleBnStatistics.pooled(deep.get(j), weights);
                float[] mean = s[0].toFloatArray();
                float[] var = s[1].toFloatArray();
                for (int k = 0; k < classes; k++) {
                    if (rowSums[k] > 0) {
                        centroids.update(k, j, mean, var);
                    }
                }
            }
        }
    }

    /**
     * Class-wise centroids (mean and variance per channel) of the deep BN layers' input statistics,
     * started at the layers' running statistics and moved by an exponential moving average.
     */
    static final class Centroids {

        private final float[][][] mean;
        private final float[][][] var;
        private final double momentum;

        /** One centroid per class and layer of {@code deep}, at the layer's running statistics. */
        Centroids(List<TapBatchNorm> deep, int classes, double momentum) {
            this.momentum = momentum;
            mean = new float[classes][deep.size()][];
            var = new float[classes][deep.size()][];
            for (int k = 0; k < classes; k++) {
                for (int j = 0; j < deep.size(); j++) {
                    mean[k][j] = deep.get(j).runningMean().toFloatArray();
                    var[k][j] = deep.get(j).runningVar().toFloatArray();
                }
            }
        }

        int classes() {
            return mean.length;
        }

        int layers() {
            return mean[0].length;
        }

        float[] mean(int k, int j) {
            return mean[k][j];
        }

        float[] var(int k, int j) {
            return var[k][j];
        }

        /**
         * centroid = (1 - momentum) centroid + momentum * statistics for class k at deep layer j;
         * {@code classMean}/{@code classVar} are (K x C) row-major, row k is used.
         */
        void update(int k, int j, float[] classMean, float[] classVar) {
            int c = mean[k][j].length;
            for (int ch = 0; ch < c; ch++) {
                mean[k][j][ch] = (float) ((1 - momentum) * mean[k][j][ch] + momentum * classMean[k * c + ch]);
                var[k][j][ch] = (float) ((1 - momentum) * var[k][j][ch] + momentum * classVar[k * c + ch]);
            }
        }

        /** Per deep layer, the centroids as (K x C) mean and variance arrays on {@code m}. */
        List<NDArray[]> arrays(NDManager m) {
            NDArray[][] out = new NDArray[layers()][];
            for (int j = 0; j < layers(); j++) {
                int c = mean[0][j].length;
                float[] mj = new float[classes() * c];
                float[] vj = new float[classes() * c];
                for (int k = 0; k < classes(); k++) {
                    System.arraycopy(mean[k][j], 0, mj, k * c, c);
                    System.arraycopy(var[k][j], 0, vj, k * c, c);
                }
                Shape s = new Shape(classes(), c);
                out[j] = new NDArray[] {m.create(mj, s), m.create(vj, s)};
            }
            return List.of(out);
        }
    }
}

package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.data.RandomResizedCrop;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Init;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * IntraQ (Y. Zhong, M. Lin, G. Nan, J. Liu, B. Zhang, Y. Tian, R. Ji, "IntraQ: Learning Synthetic
 * Images with Intra-Class Heterogeneity for Zero-Shot Network Quantization", CVPR 2022):
 * class-conditional pixel synthesis that keeps the images of a class apart rather than letting them
 * collapse onto one prototype.
 *
 * <p>Reference code: github.com/zysxmu/IntraQ ({@code data_generate/distill_data.py}). Image i of
 * the set has label y_i = i mod K (the reference code draws labels at random). Each iteration the
 * teacher (eval mode) sees a view v of the pixels: with probability {@code lor_p} (0.5) local
 * object reinforcement, i.e. every image randomly cropped (area fraction in [{@code lor_min_scale}
 * = 0.5, 1], aspect ratio in [3/4, 4/3]), resized back (bilinear) and flipped with probability 0.5
 * ({@link RandomResizedCrop}); otherwise the pixels themselves. The objective on v is L = w_bn L_BN
 * + w_inception L_SIL + w_mdc L_MDC:
 * <ul>
 *   <li>L_BN: ZeroQ's distance sum_l mean_c (mu - mu_bn)^2 + (sigma - sigma_bn)^2 of the batch
 *       statistics ({@link BnStatistics#meanStdDistance}; the reference code uses the mean over
 *       layers of the mean and variance MSEs);
 *   <li>L_SIL, soft inception loss: (1/N) sum_i sum_k (softmax(z_i)_k - s_ik)^2 with the soft
 *       one-hot s_i,y_i = t_i ~ U[{@code target_low} = 0.95, 1] (drawn per image, once per batch)
 *       and s_ik = (1 - t_i) / (K - 1) for the other classes (the reference code softens the label of
 *       a random half of the images only and reads the squared error of the label's entry only);
 *   <li>L_MDC, marginal distance constraint: the mean over images i whose class has a centre of
 *       max(lambda_l - d_i, 0) + max(d_i - lambda_u, 0), d_i = 1 - cos(f_i, c_y_i), f_i the penultimate
 *       feature of the view, lambda = [0.05, 0.8]. As in the reference code, the class centre c_y is
 *       the mean teacher feature of all images of class y finished in earlier batches; in the first
 *       batch no class has a centre and the constraint is inactive.
 * </ul>
 * Adam lr 0.5, 1000 iterations per batch of 256, ReduceLROnPlateau (the code's patience 50, floor
 * 1e-4) on L.
 */
public final class IntraQ implements Generator {

    @Override
    public String name() {
        return "intraq";
    }

    @Override
    public List<ParamSpec> params() {
        return PixelOptimization.params(1000, 256, 1, 50,
                ParamSpec.real("w_bn", 1.0, 0, 1000, "weight of the BN-statistics loss"),
                ParamSpec.real("w_inception", 1.0, 0, 1000, "weight of the soft inception loss"),
                ParamSpec.real("target_low", 0.95, 0, 1, "soft label: target probability ~ U[target_low, 1]"),
                ParamSpec.real("w_mdc", 1.0, 0, 1000, "weight of the marginal distance constraint"),
                ParamSpec.real("margin_low", 0.05, 0, 2, "lowest cosine distance to the class centre"),
                ParamSpec.real("margin_high", 0.8, 0, 2, "highest cosine distance to the class centre"),
                ParamSpec.bool("lor", true, "local object reinforcement (random resized crop + flip)"),
                ParamSpec.real("lor_p", 0.5, 0, 1, "probability of augmenting an iteration's forward pass"),
                ParamSpec.real("lor_min_scale", 0.5, 0.01, 1, "smallest crop area fraction"));
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
        Shape img = ctx.imageShape();
        int size = (int) img.size();
        BatchRun run = new BatchRun(ctx.seed());
        float[] out = new float[ctx.samples() * size];
        int[] labels = ClassLabels.roundRobin(0, ctx.samples(), classes);
        ClassCentres centres = new ClassCentres(classes);
        int batches = (ctx.samples() + batch - 1) / batch;
        for (int b = 0, from = 0; from < ctx.samples(); b++, from += batch) {
            int n = Math.min(batch, ctx.samples() - from);
            int[] y = ClassLabels.roundRobin(from, n, classes);
            float[] pixels = run.batch(ctx, b, () -> {
                float[] init = Init.gaussian(run.rnd(), new Shape(n).addAll(img), 1.0);
                float[] targets = softTargets(run.rnd(), y, classes, p.getDouble("target_low"));
                optimizeBatch(ctx, new Batch(init, y, targets, classes), centres, run.rnd(), p, run.terms());
                return init;
            });
            centres.add(features(ctx, pixels, n), y);
            System.arraycopy(pixels, 0, out, from * size, n * size);
            LossTerms terms = run.terms();
            ctx.progress().message(String.format("intraq batch %d/%d: loss %.4f -> %.4f", b + 1, batches,
                    terms.first(LossTerms.TOTAL), terms.last(LossTerms.TOTAL)));
            terms.endBatch();
        }
        Map<String, Double> stats = run.terms().stats();
        stats.put("iterations", (double) p.getInt("iters"));
        return new SyntheticSet(new ImageSet(out, labels, ctx.samples(), (int) img.get(0), (int) img.get(1),
                (int) img.get(2)), stats);
    }

    /** One batch: its pixels (optimized in place), labels and soft targets (N x K). */
    private record Batch(float[] pixels, int[] labels, float[] targets, int classes) {}

    private void optimizeBatch(GenerationContext ctx, Batch b, ClassCentres centres, Random rnd, Params p,
            LossTerms terms) {
        Net teacher = ctx.teacher();
        int n = b.labels().length;
        RandomResizedCrop lor = p.getBool("lor") ? new RandomResizedCrop(p.getDouble("lor_min_scale")) : null;
        try (NDManager batchManager = ctx.manager().newSubManager();
                BnStatistics taps = new BnStatistics(teacher)) {
            NDArray x = batchManager.create(b.pixels(), new Shape(n).addAll(ctx.imageShape()));
            x.setRequiresGradient(true);
            NDArray targets = batchManager.create(b.targets(), new Shape(n, b.classes()));
            NDArray[] centre = centres.lookup(batchManager, b.labels());
            PixelOptimization.run(name(), x, p, it -> {
                taps.clear();
                NDArray view = augment(lor, x, rnd, p.getDouble("lor_p"));
                return objective(teacher, view, taps, targets, centre, p, terms);
            }, loss -> terms.total(name(), loss));
            float[] result = x.toFloatArray();
            System.arraycopy(result, 0, b.pixels(), 0, result.length);
        }
    }

    /** With probability {@code p} (when {@code lor} is on) the augmented pixels, else the pixels. */
    private static NDArray augment(RandomResizedCrop lor, NDArray x, Random rnd, double p) {
        return lor != null && rnd.nextDouble() < p ? lor.apply(x, rnd) : x;
    }

    /** w_bn L_BN + w_inception L_SIL + w_mdc L_MDC on one view (null when every weight is 0). */
    private static NDArray objective(Net teacher, NDArray view, BnStatistics taps, NDArray targets,
            NDArray[] centre, Params p, LossTerms terms) {
        NDArray features = teacher.features(view, false);
        NDArray logits = teacher.classify(features, false);
        NDArray loss = null;
        if (p.getDouble("w_bn") > 0) {
            loss = terms.add(loss, "bn", p.getDouble("w_bn"), taps.meanStdDistance());
        }
        if (p.getDouble("w_inception") > 0) {
            NDArray sil = softInceptionLoss(logits, targets);
            loss = terms.add(loss, "inception", p.getDouble("w_inception"), sil);
        }
        if (p.getDouble("w_mdc") > 0 && centre != null) {
            NDArray mdc = marginLoss(features, centre[0], centre[1], p.getDouble("margin_low"),
                    p.getDouble("margin_high"));
            loss = terms.add(loss, "mdc", p.getDouble("w_mdc"), mdc);
        }
        return loss;
    }

    /** Soft one-hot targets (N x K): t_i ~ U[low, 1] on the label, (1 - t_i) / (K - 1) elsewhere. */
    static float[] softTargets(Random rnd, int[] labels, int classes, double low) {
        float[] t = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            double target = low + (1 - low) * rnd.nextDouble();
            float rest = (float) ((1 - target) / (classes - 1));
            for (int k = 0; k < classes; k++) {
                t[i * classes + k] = k == labels[i] ? (float) target : rest;
            }
        }
        return t;
    }

    /** L_SIL = (1/N) sum_i sum_k (softmax(z_i)_k - s_ik)^2. */
    static NDArray softInceptionLoss(NDArray logits, NDArray targets) {
        return logits.softmax(1).sub(targets).square().sum(new int[] {1}).mean();
    }

    /**
     * L_MDC: over the images with {@code mask} 1, the mean of max(low - d_i, 0) + max(d_i - high, 0),
     * d_i = 1 - cos(f_i, c_i); {@code centres} (N x D) holds each image's class centre.
     */
    static NDArray marginLoss(NDArray features, NDArray centres, NDArray mask, double low, double high) {
        NDArray d = cosine(features, centres).neg().add(1);
        NDArray hinge = Scalars.max(d.neg().add((float) low), 0).add(Scalars.max(d.sub((float) high), 0));
        return hinge.mul(mask).sum().div(mask.sum());
    }

    /** Row-wise cosine similarity a_i . b_i / max(|a_i| |b_i|, 1e-6). */
    static NDArray cosine(NDArray a, NDArray b) {
        NDArray dot = a.mul(b).sum(new int[] {1});
        NDArray norms = a.square().sum(new int[] {1}).mul(b.square().sum(new int[] {1})).sqrt();
        return dot.div(Scalars.max(norms, 1e-6));
    }

    /** The teacher's penultimate features (N x D) of finished images. */
    private static float[] features(GenerationContext ctx, float[] pixels, int n) {
        try (NDManager m = ctx.manager().newSubManager()) {
            NDArray x = m.create(pixels, new Shape(n).addAll(ctx.imageShape()));
            return Autograd.noGrad(() -> ctx.teacher().features(x, false).toFloatArray());
        }
    }

    /**
     * Class centres of the marginal distance constraint: the running mean of the teacher features of
     * every finished image of each class.
     */
    static final class ClassCentres {

        private final double[][] sums;
        private final int[] counts;

        ClassCentres(int classes) {
            sums = new double[classes][];
            counts = new int[classes];
        }

        /** Adds the features (N x D, row-major) of finished images with the given labels. */
        void add(float[] features, int[] labels) {
            int dim = features.length / labels.length;
            for (int i = 0; i < labels.length; i++) {
                int y = labels[i];
                if (sums[y] == null) {
                    sums[y] = new double[dim];
                }
                for (int j = 0; j < dim; j++) {
                    sums[y][j] += features[i * dim + j];
                }
                counts[y]++;
            }
        }

        /**
         * Each image's class centre (N x D) and a mask (N) of the images whose class has one, on
         * {@code m}; null when no image's class has a centre yet.
         */
        NDArray[] lookup(NDManager m, int[] labels) {
            int dim = -1;
            for (int y : labels) {
                dim = sums[y] != null ? sums[y].length : dim;
            }
            if (dim < 0) {
                return null;
            }
            float[] centre = new float[labels.length * dim];
            float[] mask = new float[labels.length];
            for (int i = 0; i < labels.length; i++) {
                int y = labels[i];
                if (counts[y] > 0) {
                    mask[i] = 1;
                    for (int j = 0; j < dim; j++) {
                        centre[i * dim + j] = (float) (sums[y][j] / counts[y]);
                    }
                }
            }
            return new NDArray[] {m.create(centre, new Shape(labels.length, dim)), m.create(mask)};
        }
    }
}

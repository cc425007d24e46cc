package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Adam;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Divergence;
import io.dfq.quant.nn.Init;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * FDDA (Zhong, Lin, Chen, Li, Shen, Chao, Wu and Ji, "Fine-grained Data Distribution Alignment for
 * Post-Training Quantization", ECCV 2022). Not data-free: one real training image per class (a seeded
 * class-balanced pick) gives that class's "BNS centre": the per-channel mean and (biased) variance of
 * every BN layer's input for that single, un-augmented image (eval mode), as the reference code's
 * {@code BNScenters.py} computes them. A class-conditional generator ({@link FddaGenerator}: GDFQ's
 * architecture with class-conditional BN, as the reference code) is then trained with Adam (lr 1e-3,
 * betas (0.5, 0.999), x0.1 at 1/4, 1/2 and 3/4 of the iterations: the reference's epochs 100/200/300
 * of 400 x 200 iterations, batch 16). Each iteration draws (w_ce 0.5 on both batches, as the
 * reference's halved one-hot losses; w_bn 0.2, w_center 0.01, w_distort 0.9 from its config):
 * <ul>
 *   <li>batch A, labels uniform over the classes: {@code w_ce} * CE(T(G(z, y)), y) + {@code w_bn} * BN,
 *       BN = mean over all BN layers of mse(mu, mu_run) + mse(var, var_run) (mse = mean over
 *       channels; variances, as the reference code: the centres and their noise live on variances);
 *   <li>batch B, every label the same class l (uniform over the classes whose real image the teacher
 *       classifies correctly, when {@code correct_only}): {@code w_ce} * CE + {@code w_center} * C +
 *       {@code w_distort} * D, C = mean over layers of mse(mu, mu_l) + mse(var, var_l) (centering),
 *       D = the same against mu_l + N(0, 0.5^2) and var_l + N(0, 1) drawn afresh per iteration
 *       (distortion); both on the deeper BN layers (index >= floor((L + 1) / 2) - 2 of L, as the
 *       reference code) when {@code deep_layers}, else on all.
 * </ul>
 * The reference trains the generator next to the quantized student, but no student term enters the
 * generator's loss, so here it is trained alone; its first 5 of 400 epochs, which also pull
 * misclassified classes to pure N(0, 1) targets, are not reproduced. The calibration set is then drawn
 * from the generator (training-mode BN, as the reference feeds the student), class-balanced and
 * labelled; with {@code include_real} the real images are appended, since FDDA calibrates with them too.
 * The recorded {@code loss_T_initial} / {@code loss_T_final} are each term on one fixed draw (latents,
 * labels, class, noise) before the first and after the last update: a single iteration's values
 * depend on the class and noise it drew.
 */
public final class Fdda implements Generator {

    private static final double DECAY = 0.1;
    private static final int MILESTONES = 3;
    private static final String[] TERMS = {"bn", "center", "distort", "ce", "total"};

    @Override
    public String name() {
        return "fdda";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.integer("iters", 80000, 1, 10000000, "generator iterations (400 epochs x 200)"),
                ParamSpec.integer("batch", 16, 2, 4096, "images per generator batch (A and B each)"),
                ParamSpec.real("lr", 1e-3, 1e-8, 10, "generator Adam learning rate"),
                ParamSpec.real("beta1", 0.5, 0, 0.9999, "Adam beta1"),
                ParamSpec.integer("latent", 100, 1, 4096, "latent dimension"),
                ParamSpec.integer("gen_width", 128, 2, 1024, "generator channels"),
                ParamSpec.real("w_bn", 0.2, 0, 1000, "weight of the BN loss against running statistics"),
                ParamSpec.real("w_center", 0.01, 0, 1000, "weight of the centering loss"),
                ParamSpec.real("w_distort", 0.9, 0, 1000, "weight of the distortion loss"),
                ParamSpec.real("w_ce", 0.5, 0, 1000, "weight of the cross-entropy on each batch"),
                ParamSpec.real("noise_mean_std", 0.5, 0, 100, "std of the noise on the centre's means"),
                ParamSpec.real("noise_var_std", 1.0, 0, 100, "std of the noise on the centre's variances"),
                ParamSpec.bool("deep_layers", true, "class losses on the deeper half of the BN layers only"),
                ParamSpec.bool("correct_only", true,
                        "batch B only for classes whose real image the teacher classifies correctly"),
                ParamSpec.bool("include_real", true, "append the real images to the calibration set"));
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
        int classes = teacher.classes();
        ImageSet real = realImages(ctx.trainingData().get(), classes, ctx.seed());
        Centres centres = Centres.measure(teacher, real, ctx.manager(), p.getBool("correct_only"));
        int realInSet = p.getBool("include_real") ? Math.min(classes, ctx.samples()) : 0;
        Random rnd = new Random(ctx.seed());
        Map<String, Double> stats = new HashMap<>();
        ImageSet synthetic;
        try (NDManager m = ctx.manager().newSubManager();
                FddaGenerator gen = new FddaGenerator(m, rnd, p.getInt("latent"), classes,
                        p.getInt("gen_width"), ctx.imageShape())) {
            double[][] firstLast = train(ctx, gen, centres, rnd, p);
            for (int t = 0; t < TERMS.length; t++) {
                stats.put("loss_" + TERMS[t] + "_initial", firstLast[0][t]);
                stats.put("loss_" + TERMS[t] + "_final", firstLast[1][t]);
            }
            synthetic = sample(gen, m, ctx.samples() - realInSet, classes, p, rnd, ctx.imageShape());
        }
        stats.put("iterations", (double) p.getInt("iters"));
        stats.put("uses_real_data", 1.0);
        stats.put("real_images", (double) classes);
        stats.put("real_images_in_set", (double) realInSet);
        stats.put("classes_correct", (double) centres.correct());
        return new SyntheticSet(concat(synthetic, real.head(realInSet)), stats);
    }

    /** One training image of every class, a seeded class-balanced pick. */
    static ImageSet realImages(ImageSet train, int classes, long seed) {
        ImageSet picked = train.balancedSubset(Math.min(classes, train.count()), seed);
        int[] hist = picked.classHistogram(classes);
        for (int c = 0; c < classes; c++) {
            if (hist[c] != 1) {
                throw new IllegalArgumentException("fdda needs one training image of each of the " + classes
                        + " classes; class " + c + " has none");
            }
        }
        return picked;
    }

    /**
     * Trains the generator; returns the terms (TERMS order) on one fixed draw before the first and
     * after the last update (each iteration's own values vary with its class and noise).
     */
    private double[][] train(GenerationContext ctx, FddaGenerator gen, Centres centres, Random rnd,
            Params p) {
        int iters = p.getInt("iters");
        try (BnStatistics taps = new BnStatistics(ctx.teacher());
                Adam adam = new Adam(gen.parameters(), p.getDouble("beta1"), 0.999)) {
            Draw probe = Draw.of(rnd, centres, p);
            double[] initial = evaluate(ctx, gen, taps, centres, probe, p);
            for (int it = 0; it < iters; it++) {
                try (NDScope step = new NDScope()) {
                    step.suppressNotUsedWarning();
                    double[] terms;
                    try (Autograd g = Autograd.record()) {
                        NDArray[] losses = losses(ctx, gen, taps, centres, Draw.of(rnd, centres, p), p);
                        terms = values(losses);
                        Divergence.check(name(), it, terms[TERMS.length - 1]);
                        g.backward(losses[TERMS.length - 1]);
                    }
                    adam.step(learningRate(p.getDouble("lr"), it, iters));
                    report(ctx, it, iters, terms);
                }
            }
            return new double[][] {initial, evaluate(ctx, gen, taps, centres, probe, p)};
        }
    }

    private double[] evaluate(GenerationContext ctx, FddaGenerator gen, BnStatistics taps, Centres centres,
            Draw draw, Params p) {
        try (NDScope scope = new NDScope(); Autograd off = Autograd.off()) {
            scope.suppressNotUsedWarning();
            return values(losses(ctx, gen, taps, centres, draw, p));
        }
    }

    /** The loss terms of one draw, in TERMS order (the last is the weighted total). */
    private static NDArray[] losses(GenerationContext ctx, FddaGenerator gen, BnStatistics taps,
            Centres centres, Draw draw, Params p) {
        Net teacher = ctx.teacher();
        NDManager m = ctx.manager();
        taps.clear();
        NDArray logits = teacher.logits(gen.apply(latent(m, draw.latentA(), p), draw.labels()), false);
        NDArray bn = bnLoss(taps.layers());
        NDArray ce = crossEntropy(logits, draw.labels());
        NDArray total = Scalars.mul(ce, weight(p, "w_ce")).add(Scalars.mul(bn, weight(p, "w_bn")));
        if (draw.same() == null) {
            NDArray zero = bn.zerosLike();
            return new NDArray[] {bn, zero, zero, ce, total};
        }
        int l = draw.same()[0];
        taps.clear();
        NDArray logitsB = teacher.logits(gen.apply(latent(m, draw.latentB(), p), draw.same()), false);
        int from = p.getBool("deep_layers") ? deepStart(taps.layers().size()) : 0;
        NDArray center = classLoss(taps.layers(), centres.mean(l), centres.var(l), from);
        NDArray distort = classLoss(taps.layers(), draw.noisyMean(), draw.noisyVar(), from);
        NDArray ceB = crossEntropy(logitsB, draw.same());
        total = total.add(Scalars.mul(ceB, weight(p, "w_ce")))
                .add(Scalars.mul(center, weight(p, "w_center")))
                .add(Scalars.mul(distort, weight(p, "w_distort")));
        return new NDArray[] {bn, center, distort, ce.add(ceB), total};
    }

    /**
     * The random inputs of one iteration: batch A's latents and labels; when a class term is on,
     * batch B's latents, its labels (all one class) and that class's noisy centre.
     */
    private record Draw(float[] latentA, int[] labels, float[] latentB, int[] same, float[][] noisyMean,
            float[][] noisyVar) {

        static Draw of(Random rnd, Centres centres, Params p) {
            int batch = p.getInt("batch");
            float[] latentA = Init.gaussian(rnd, new Shape(batch, p.getInt("latent")), 1.0);
            int[] labels = new int[batch];
            Arrays.setAll(labels, i -> rnd.nextInt(centres.classes()));
            if (weight(p, "w_center") == 0 && weight(p, "w_distort") == 0) {
                return new Draw(latentA, labels, null, null, null, null);
            }
            int l = centres.draw(rnd);
            int[] same = new int[batch];
            Arrays.fill(same, l);
            float[] latentB = Init.gaussian(rnd, new Shape(batch, p.getInt("latent")), 1.0);
            float[][] noisyMean = noisy(centres.mean(l), p.getDouble("noise_mean_std"), rnd);
            float[][] noisyVar = noisy(centres.var(l), p.getDouble("noise_var_std"), rnd);
            return new Draw(latentA, labels, latentB, same, noisyMean, noisyVar);
        }
    }

    /** A loss weight as float (a double scalar would promote the loss to float64). */
    private static float weight(Params p, String name) {
        return (float) p.getDouble(name);
    }

    private static NDArray latent(NDManager m, float[] values, Params p) {
        return m.create(values, new Shape(values.length / p.getInt("latent"), p.getInt("latent")));
    }

    /** Mean over BN layers of mse(mu, mu_run) + mse(var, var_run) (mse: mean over channels). */
    static NDArray bnLoss(List<BnStatistics.Layer> layers) {
        NDArray total = null;
        for (BnStatistics.Layer l : layers) {
            NDArray term = l.mean().sub(l.bn().runningMean()).square().mean()
                    .add(l.var().sub(l.bn().runningVar()).square().mean());
            total = total == null ? term : total.add(term);
        }
        if (total == null) {
            throw new IllegalStateException("no BatchNorm layer observed");
        }
        return Scalars.div(total, layers.size());
    }

    /**
     * Mean over layers {@code from}.. of mse(mu, targetMean) + mse(var, targetVar): the centering loss
     * with the centre as target, the distortion loss with a noisy centre.
     */
    static NDArray classLoss(List<BnStatistics.Layer> layers, float[][] targetMean, float[][] targetVar,
            int from) {
        NDArray total = null;
        for (int i = from; i < layers.size(); i++) {
            BnStatistics.Layer l = layers.get(i);
            NDManager m = l.mean().getManager();
            NDArray term = l.mean().sub(m.create(targetMean[i])).square().mean()
                    .add(l.var().sub(m.create(targetVar[i])).square().mean());
            total = total == null ? term : total.add(term);
        }
        if (total == null) {
            throw new IllegalStateException("no BatchNorm layer at or after index " + from);
        }
        return Scalars.div(total, layers.size() - from);
    }

    /** The reference code's first BN layer of the class losses: floor((L + 1) / 2) - 2. */
    static int deepStart(int layers) {
        return Math.max(0, (layers + 1) / 2 - 2);
    }

    /** {@code centre} plus N(0, std^2) noise, drawn layer by layer, channel by channel. */
    static float[][] noisy(float[][] centre, double std, Random rnd) {
        float[][] out = new float[centre.length][];
        for (int i = 0; i < centre.length; i++) {
            out[i] = new float[centre[i].length];
            for (int c = 0; c < out[i].length; c++) {
                out[i][c] = (float) (centre[i][c] + std * rnd.nextGaussian());
            }
        }
        return out;
    }

    /** Mean cross-entropy of logits (N, K) against integer labels. */
    static NDArray crossEntropy(NDArray logits, int[] labels) {
        long k = logits.getShape().get(1);
        float[] onehot = new float[Math.toIntExact(labels.length * k)];
        for (int i = 0; i < labels.length; i++) {
            onehot[(int) (i * k) + labels[i]] = 1f;
        }
        NDArray target = logits.getManager().create(onehot, logits.getShape());
        return Scalars.div(logits.logSoftmax(1).mul(target).sum().neg(), labels.length);
    }

    /** lr x 0.1^k after k of the milestones at 1/4, 1/2 and 3/4 of the run. */
    static double learningRate(double lr, int it, int iters) {
        int passed = Math.min(MILESTONES, (int) (4L * it / iters));
        return lr * Math.pow(DECAY, passed);
    }

    private static double[] values(NDArray[] losses) {
        double[] v = new double[losses.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = losses[i].getFloat();
        }
        return v;
    }

    private static void report(GenerationContext ctx, int it, int iters, double[] terms) {
        int every = Math.max(1, iters / 10);
        if ((it + 1) % every == 0 || it + 1 == iters) {
            ctx.progress().message(String.format(
                    "fdda iteration %d/%d: loss %.4f (bn %.4f, center %.4f, distort %.4f, ce %.4f)",
                    it + 1, iters, terms[4], terms[0], terms[1], terms[2], terms[3]));
        }
    }

    /** {@code count} images from the trained generator, labels round-robin over the classes. */
    private static ImageSet sample(FddaGenerator gen, NDManager m, int count, int classes, Params p,
            Random rnd, Shape img) {
        int size = (int) img.size();
        float[] data = new float[count * size];
        int[] labels = new int[count];
        Arrays.setAll(labels, i -> i % classes);
        int batch = p.getInt("batch");
        try (Autograd off = Autograd.off()) {
            for (int from = 0; from < count; from += batch) {
                int n = Math.min(batch, count - from);
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    float[] z = Init.gaussian(rnd, new Shape(n, p.getInt("latent")), 1.0);
                    int[] y = Arrays.copyOfRange(labels, from, from + n);
                    float[] x = gen.apply(latent(m, z, p), y).toFloatArray();
                    System.arraycopy(x, 0, data, from * size, x.length);
                }
            }
        }
        return new ImageSet(data, labels, count, (int) img.get(0), (int) img.get(1), (int) img.get(2));
    }

    private static ImageSet concat(ImageSet a, ImageSet b) {
        float[] data = Arrays.copyOf(a.data(), a.data().length + b.data().length);
        System.arraycopy(b.data(), 0, data, a.data().length, b.data().length);
        int[] labels = Arrays.copyOf(a.labels(), a.count() + b.count());
        System.arraycopy(b.labels(), 0, labels, a.count(), b.count());
        return new ImageSet(data, labels, a.count() + b.count(), a.channels(), a.height(), a.width());
    }

    /**
     * Per-class BNS centres (per BN layer: channel means and variances of the class image's BN input)
     * and the classes batch B draws from.
     */
    static final class Centres {

        private final float[][][] means;
        private final float[][][] vars;
        private final int[] eligible;
        private final int correct;

        private Centres(float[][][] means, float[][][] vars, int[] eligible, int correct) {
            this.means = means;
            this.vars = vars;
            this.eligible = eligible;
            this.correct = correct;
        }

        /** Measures the centres of {@code real} (one labelled image per class) in eval mode. */
        static Centres measure(Net teacher, ImageSet real, NDManager manager, boolean correctOnly) {
            int classes = real.count();
            float[][][] means = new float[classes][][];
            float[][][] vars = new float[classes][][];
            boolean[] right = new boolean[classes];
            try (Autograd off = Autograd.off(); BnStatistics taps = new BnStatistics(teacher)) {
                for (int i = 0; i < classes; i++) {
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        taps.clear();
                        NDArray logits = teacher.logits(real.batch(manager, i, i + 1), false);
                        int c = real.label(i);
                        right[c] = logits.argMax(1).getLong() == c;
                        means[c] = taps.layers().stream().map(l -> l.mean().toFloatArray())
                                .toArray(float[][]::new);
                        vars[c] = taps.layers().stream().map(l -> l.var().toFloatArray())
                                .toArray(float[][]::new);
                    }
                }
            }
            int[] correct = IntStream.range(0, classes).filter(c -> right[c]).toArray();
            int[] eligible = correctOnly && correct.length > 0
                    ? correct
                    : IntStream.range(0, classes).toArray();
            return new Centres(means, vars, eligible, correct.length);
        }

        int classes() {
            return means.length;
        }

        /** Classes whose real image the teacher classifies correctly. */
        int correct() {
            return correct;
        }

        float[][] mean(int c) {
            return means[c];
        }

        float[][] var(int c) {
            return vars[c];
        }

        /** The class of batch B. */
        int draw(Random rnd) {
            return eligible[rnd.nextInt(eligible.length)];
        }
    }
}

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
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;

/**
 * The generator training and sampling that GDFQ and Qimera share; they differ only in the
 * generator's conditional input and its cross-entropy targets, which a {@link Model} supplies.
 *
 * <p>Training, {@code iters} iterations: a batch of inputs is drawn in Java with random classes, the
 * FP32 teacher (eval mode, BN layers tapped) classifies the generated images, and Adam ({@code lr},
 * betas {@code beta1}, {@code beta2}) steps the generator on L = w_ce * CE + w_bns * BNS, where CE =
 * -mean_n sum_c t_nc log softmax(T(G))_nc (GDFQ's cross entropy when the targets are one-hot) and
 * BNS is GDFQ's statistics loss ({@link #bns}). Sampling: batches with round-robin classes, the
 * generator still in training mode (batch statistics), as the student sees it in the papers' joint
 * training. Shared here, not per method, so that the two methods cannot drift apart in anything but
 * what distinguishes them.
 */
final class ConditionalSynthesis {

    /**
     * One batch of generator inputs fixed in Java.
     *
     * @param images generates the images (N, C, H, W) on a manager, on the autograd graph while recording
     * @param targets the (N x classes) CE targets, row-major: one-hot rows, or superposed mixtures
     * @param labels each image's label: the dominant class of its target
     */
    record Batch(Function<NDManager, NDArray> images, float[] targets, int[] labels) {}

    /** A method's class-conditional generator. */
    interface Model {

        /** The arrays Adam trains (embedding, mapping, generator). */
        List<NDArray> parameters();

        /**
         * Draws {@code n} inputs from {@code rnd}; with {@code first < 0} every class is random,
         * otherwise sample i's (first) class is (first + i) mod classes.
         */
        Batch draw(Random rnd, int n, int first);
    }

    /** Builds a method's model (arrays on {@code m}, initial weights from {@code rnd}). */
    @FunctionalInterface
    interface Factory {
        Model create(GenerationContext ctx, Params p, NDManager m, Random rnd);
    }

    private ConditionalSynthesis() {}

    /** {@code method}'s {@link Generator#generate}: a model trained, then sampled. */
    static SyntheticSet generate(Generator method, GenerationContext ctx, Factory factory) {
        Params p = Params.of(method, ctx.params());
        requireBns(method, p, ctx.teacher());
        Random rnd = new Random(ctx.seed());
        try (NDManager m = ctx.manager().newSubManager()) {
            return run(ctx, method.name(), p, factory.create(ctx, p, m, rnd), m, rnd);
        }
    }

    /** {@code method}'s {@link Generator#resume}: the model rebuilt with {@code state}, on the context's manager. */
    static Optional<LiveGenerator> resume(Generator method, GenerationContext ctx, List<float[]> state,
            Factory factory) {
        Params p = Params.of(method, ctx.params());
        Random rnd = new Random(ctx.seed() ^ 0x6A09E667L);
        return Optional.of(live(ctx, method.name(), p, factory.create(ctx, p, ctx.manager(), rnd), ctx.manager(), rnd,
                state));
    }

    /** Class {@code (first + i) mod classes} for {@code first >= 0}, else a random class. */
    static int drawClass(Random rnd, int first, int i, int classes) {
        return first < 0 ? rnd.nextInt(classes) : (first + i) % classes;
    }

    /**
     * Trains {@code model} (its arrays live on {@code manager}), then draws {@code ctx.samples()}
     * labelled images. Stats: loss_ce and (on a teacher with BN) loss_bns, initial and final.
     */
    static SyntheticSet run(GenerationContext ctx, String method, Params p, Model model, NDManager manager,
            Random rnd) {
        int iters = p.getInt("iters");
        double[][] firstLast = train(ctx, method, p, model, manager, rnd);
        Map<String, Double> stats = new HashMap<>();
        stats.put("loss_ce_initial", firstLast[0][0]);
        stats.put("loss_ce_final", firstLast[1][0]);
        if (ctx.teacher().hasBatchNorm()) {
            stats.put("loss_bns_initial", firstLast[0][1]);
            stats.put("loss_bns_final", firstLast[1][1]);
        }
        stats.put("iterations", (double) iters);
        ctx.progress().message(String.format("%s: ce %.4f -> %.4f, bns %.4f -> %.4f", method, firstLast[0][0],
                firstLast[1][0], firstLast[0][1], firstLast[1][1]));
        List<float[]> state = new ArrayList<>();
        model.parameters().forEach(a -> state.add(a.toFloatArray()));
        return new SyntheticSet(sample(ctx, p.getInt("batch"), model, manager, rnd), stats, state);
    }

    /**
     * {@code model} (arrays on {@code manager}) with the trained parameters {@code state} loaded, as a
     * generator that keeps training: each {@link LiveGenerator#step} is one more iteration of the
     * objective above (fresh random classes, teacher tapped only during the step), each sample draws
     * random classes, generator BN in training mode.
     */
    static LiveGenerator live(GenerationContext ctx, String method, Params p, Model model, NDManager manager,
            Random rnd, List<float[]> state) {
        List<NDArray> params = model.parameters();
        if (state.size() != params.size()) {
            throw new IllegalStateException(method + ": stored generator has " + state.size() + " arrays, the model "
                    + params.size());
        }
        for (int i = 0; i < params.size(); i++) {
            params.get(i).set(state.get(i));
        }
        Net teacher = ctx.teacher();
        int classes = teacher.classes();
        Shape img = ctx.imageShape();
        Adam adam = new Adam(params, p.getDouble("beta1"), p.getDouble("beta2"));
        return new LiveGenerator() {
            private int iteration = p.getInt("iters");

            @Override
            public ImageSet sample(int n) {
                Batch b = model.draw(rnd, n, -1);
                float[] images = Autograd.noGrad(() -> generate(b, manager));
                return new ImageSet(images, b.labels(), n, (int) img.get(0), (int) img.get(1), (int) img.get(2));
            }

            @Override
            public double step() {
                Batch b = model.draw(rnd, p.getInt("batch"), -1);
                try (BnStatistics taps = teacher.hasBatchNorm() ? new BnStatistics(teacher) : null;
                        NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    double[] terms = backward(teacher, taps, b, classes, p, manager, method, iteration++);
                    adam.step(p.getDouble("lr"));
                    return terms[0];
                }
            }

            @Override
            public void close() {
                adam.close();
            }
        };
    }

    /** Returns the {ce, bns} terms of the first and the last iteration. */
    private static double[][] train(GenerationContext ctx, String method, Params p, Model model,
            NDManager manager, Random rnd) {
        Net teacher = ctx.teacher();
        int classes = teacher.classes();
        double lr = p.getDouble("lr");
        double[][] firstLast = new double[2][];
        try (BnStatistics taps = teacher.hasBatchNorm() ? new BnStatistics(teacher) : null;
                Adam adam = new Adam(model.parameters(), p.getDouble("beta1"), p.getDouble("beta2"))) {
            for (int it = 0; it < p.getInt("iters"); it++) {
                Batch b = model.draw(rnd, p.getInt("batch"), -1);
                try (NDScope step = new NDScope()) {
                    step.suppressNotUsedWarning();
                    firstLast[1] = backward(teacher, taps, b, classes, p, manager, method, it);
                    adam.step(lr);
                }
                if (it == 0) {
                    firstLast[0] = firstLast[1];
                }
            }
        }
        return firstLast;
    }

    /** Records the loss of batch {@code b} and back-propagates it; returns its {ce, bns} terms. */
    private static double[] backward(Net teacher, BnStatistics taps, Batch b, int classes, Params p,
            NDManager manager, String method, int it) {
        if (taps != null) {
            taps.clear();
        }
        try (Autograd g = Autograd.record()) {
            NDArray logits = teacher.logits(b.images().apply(manager), false);
            NDArray targets = manager.create(b.targets(), new Shape(b.labels().length, classes));
            NDArray[] terms = objective(logits, targets, taps, p.getDouble("w_ce"), p.getDouble("w_bns"));
            double value = terms[0].getFloat();
            Divergence.check(method, it, value);
            g.backward(terms[0]);
            return new double[] {terms[1].getFloat(), terms[2] == null ? Double.NaN : terms[2].getFloat()};
        }
    }

    /**
     * The objective of a batch from the teacher's {@code logits} and the BN layers {@code taps}
     * observed (null on a teacher without BN): {L, CE, BNS} with L = w_ce * CE + w_bns * BNS, BNS
     * null without taps and left out of L at weight 0.
     */
    static NDArray[] objective(NDArray logits, NDArray targets, BnStatistics taps, double wCe, double wBns) {
        NDArray ce = softCrossEntropy(logits, targets);
        NDArray bns = taps == null ? null : bns(taps);
        NDArray loss = Scalars.mul(ce, wCe);
        if (bns != null && wBns > 0) {
            loss = loss.add(Scalars.mul(bns, wBns));
        }
        return new NDArray[] {loss, ce, bns};
    }

    /** Generates {@code ctx.samples()} images in batches with round-robin classes. */
    private static ImageSet sample(GenerationContext ctx, int batch, Model model, NDManager manager,
            Random rnd) {
        Shape img = ctx.imageShape();
        int size = (int) img.size();
        float[] out = new float[ctx.samples() * size];
        int[] labels = new int[ctx.samples()];
        for (int from = 0; from < ctx.samples(); from += batch) {
            int n = Math.min(batch, ctx.samples() - from);
            Batch b = model.draw(rnd, n, from);
            System.arraycopy(Autograd.noGrad(() -> generate(b, manager)), 0, out, from * size, n * size);
            System.arraycopy(b.labels(), 0, labels, from, n);
        }
        return new ImageSet(out, labels, ctx.samples(), (int) img.get(0), (int) img.get(1), (int) img.get(2));
    }

    private static float[] generate(Batch b, NDManager manager) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return b.images().apply(manager).toFloatArray();
        }
    }

    /** -mean_n sum_c t_nc log softmax(logits)_nc. */
    static NDArray softCrossEntropy(NDArray logits, NDArray targets) {
        return logits.logSoftmax(1).mul(targets).sum(new int[] {1}).mean().neg();
    }

    /**
     * GDFQ's BN-statistics loss: (1 / L) sum_l [mean_c (mu_lc - mu_bn,lc)^2 + mean_c (var_lc -
     * var_bn,lc)^2], with the biased batch variance of the layer's input against the running
     * variance (variances, not standard deviations, as in the reference code).
     */
    static NDArray bns(BnStatistics taps) {
        List<BnStatistics.Layer> layers = taps.layers();
        if (layers.isEmpty()) {
            throw new IllegalStateException("no BatchNorm layer observed");
        }
        NDArray total = null;
        for (BnStatistics.Layer l : layers) {
            NDArray term = l.mean().sub(l.bn().runningMean()).square().mean()
                    .add(l.var().sub(l.bn().runningVar()).square().mean());
            total = total == null ? term : total.add(term);
        }
        return Scalars.mul(total, 1.0 / layers.size());
    }

    /** One-hot rows (N x classes, row-major) for the classes {@code y}. */
    static float[] oneHot(int[] y, int classes) {
        float[] t = new float[y.length * classes];
        for (int i = 0; i < y.length; i++) {
            t[i * classes + y[i]] = 1;
        }
        return t;
    }

    /**
     * Why a method weighting GDFQ's BNS by its {@code w_bns} cannot serve {@code trial}: only when
     * the weight is positive and the teacher has no BN.
     */
    static Optional<String> bnsReason(Generator g, JsonNode trial) {
        return Params.of(g, trial.path("generator")).getDouble("w_bns") > 0 ? BnRequirement.check(g, trial)
                : Optional.empty();
    }

    /** At run time: a positive {@code w_bns} needs a teacher with BN. */
    static void requireBns(Generator g, Params p, Net teacher) {
        if (p.getDouble("w_bns") > 0) {
            BnRequirement.require(g, teacher);
        }
    }

    /** The index c of the largest {@code values[from + c]}, c < length (the first on ties). */
    static int argmax(float[] values, int from, int length) {
        int best = 0;
        for (int c = 1; c < length; c++) {
            if (values[from + c] > values[from + best]) {
                best = c;
            }
        }
        return best;
    }
}

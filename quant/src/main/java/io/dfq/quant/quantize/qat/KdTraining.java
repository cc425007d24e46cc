package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.data.RandomResizedCrop;
import io.dfq.quant.generate.LiveGenerator;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Distillation;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.recon.InputCache;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import io.dfq.quant.train.NesterovSgd;
import io.dfq.quant.train.TeacherTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The distillation loop of the QAT methods, written once: the student (the quantized network, BN
 * folded, i.e. in eval mode) learns on the calibration set from the FP teacher's logits with loss
 * w_kd * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + w_ce * CE(student, label), the label
 * being the image's own (class-conditional generators, real data) or else the teacher's prediction;
 * SGD with Nesterov momentum 0.9, cosine learning-rate decay, weight decay on the weights only.
 * A fixed calibration set is augmented as in IntraQ's fine-tuning (its {@code direct_dataset}):
 * every batch is randomly resized-cropped (area fraction in [{@code crop_min_scale}, 1]) and
 * flipped, and the teacher's logits are those of the augmented batch. Without it the student fits
 * the teacher on the fixed images only: on ResNet-20 with 1024 IntraQ images at W3A3, qat-kd's
 * distillation loss fell from 0.196 (epoch 3) to 0.140 (epoch 20) while its test accuracy fell
 * from 92.35% to 85.71%.
 * Each epoch's mean loss is reported as a metric ({@code qat_loss_epoch_K}); a NaN or infinite loss
 * fails the trial with the method, epoch and loss.
 */
public final class KdTraining {

    /** What the method trains and how its quantizers are refreshed each iteration. */
    public interface Student {
        /** Parameters with weight decay (weights, biases). */
        List<NDArray> parameters();

        /** Parameters without weight decay (quantizer steps, bases). */
        List<NDArray> quantizerParameters();

        /** Recomputes the fake-quantized weights on the autograd graph (once per iteration). */
        void install();

        /**
         * The loss of {@code batch} on the autograd graph, after {@link #install()}; by default the
         * distillation loss of one forward pass of {@code net}.
         */
        default NDArray loss(Net net, Batch batch, Settings s) {
            return distillation(net.logits(batch.images(), false), batch, s);
        }

        /** Called before each epoch (0-based) of {@code epochs}: per-epoch schedules. */
        default void startEpoch(int epoch, int epochs) {}

        /** A student with the default loss and no schedule. */
        static Student of(List<NDArray> parameters, List<NDArray> quantizerParameters, Runnable install) {
            return new Trained(parameters, quantizerParameters) {
                @Override
                public void install() {
                    install.run();
                }
            };
        }
    }

    /** A student of fixed parameter lists; the method supplies {@link Student#install()} and may add the rest. */
    public abstract static class Trained implements Student {

        private final List<NDArray> parameters;
        private final List<NDArray> quantizerParameters;

        /** Trains {@code parameters} with weight decay and {@code quantizerParameters} without. */
        protected Trained(List<NDArray> parameters, List<NDArray> quantizerParameters) {
            this.parameters = List.copyOf(parameters);
            this.quantizerParameters = List.copyOf(quantizerParameters);
        }

        @Override
        public List<NDArray> parameters() {
            return parameters;
        }

        @Override
        public List<NDArray> quantizerParameters() {
            return quantizerParameters;
        }
    }

    /**
     * @param epochs passes over the calibration set
     * @param batch images per step
     * @param lr initial learning rate (cosine decay to 0 over all steps)
     * @param weightDecay L2 on {@link Student#parameters()}
     * @param temperature KD temperature T
     * @param kdWeight w_kd
     * @param ceWeight w_ce
     * @param cropMinScale with a fixed calibration set, the least area fraction of the random
     *     resized crops (and flips) of each batch; 0: no augmentation
     */
    public record Settings(int epochs, int batch, double lr, double weightDecay, double temperature, double kdWeight,
            double ceWeight, double cropMinScale) {

        /** The settings of a method's resolved {@link #params} ({@code epochs}, {@code batch}, {@code lr}...). */
        public static Settings of(Params p) {
            return new Settings(p.getInt("epochs"), p.getInt("batch"), p.getDouble("lr"), p.getDouble("weight_decay"),
                    p.getDouble("T"), p.getDouble("w_kd"), p.getDouble("w_ce"),
                    p.getBool("augment") ? p.getDouble("crop_min_scale") : 0);
        }
    }

    /**
     * The loop's parameters, with a method's default {@code epochs} and {@code lr}: those of {@link
     * Settings#of} and {@code joint} (the flag of {@link #run}); then the method's {@code own}.
     */
    public static List<ParamSpec> params(int epochs, double lr, ParamSpec... own) {
        List<ParamSpec> specs = new ArrayList<>(List.of(
                ParamSpec.integer("epochs", epochs, 1, 10_000, "passes over the calibration set"),
                ParamSpec.integer("batch", 64, 1, 4096, "images per step"),
                ParamSpec.real("lr", lr, 0, 10, "initial SGD learning rate (cosine decay)"),
                ParamSpec.real("weight_decay", 1e-4, 0, 1, "L2 weight decay on weights and biases"),
                ParamSpec.real("T", 20, 0.01, 1000, "distillation temperature"),
                ParamSpec.real("w_kd", 1, 0, 1000, "weight of the distillation loss"),
                ParamSpec.real("w_ce", 0, 0, 1000, "weight of the cross entropy on the labels"),
                ParamSpec.bool("augment", true,
                        "a fixed set: random resized crop and flip of every batch (IntraQ's fine-tuning)"),
                ParamSpec.real("crop_min_scale", 0.5, 0.05, 1, "with augment: the crops' least area fraction"),
                ParamSpec.bool("joint", true, "with gdfq or qimera data: keep training their generator alongside")));
        specs.addAll(Arrays.asList(own));
        return specs;
    }

    private KdTraining() {}

    /**
     * Trains {@code student} ({@code ctx.network()}); returns each epoch's mean loss. With {@code
     * joint} and a live generator in {@code ctx} (GDFQ, Qimera), every step draws a fresh batch from the
     * generator, which then takes one step of its own objective; an epoch keeps the fixed set's number
     * of steps.
     */
    public static List<Double> run(String method, QuantizationContext ctx, Student student, Settings s,
            boolean joint) {
        ImageSet data = ctx.calibration();
        List<Double> curve = new ArrayList<>();
        int batches = (data.count() + s.batch() - 1) / s.batch();
        long total = (long) batches * s.epochs();
        long step = 0;
        Random rnd = new Random(ctx.seed());
        try (LiveGenerator live = joint ? ctx.liveGenerator().get().orElse(null) : null;
                NDManager cache = ctx.manager().newSubManager();
                NesterovSgd weights = new NesterovSgd(student.parameters(), 0.9, s.weightDecay());
                NesterovSgd steps = new NesterovSgd(student.quantizerParameters(), 0.9, 0)) {
            ctx.progress().message(method + (live != null ? ": training jointly with the resumed generator"
                    : ": training on the fixed calibration set of " + data.count() + " images"));
            RandomResizedCrop crop =
                    live == null && s.cropMinScale() > 0 ? new RandomResizedCrop(s.cropMinScale()) : null;
            boolean cached = live == null && crop == null;
            NDArray teacherLogits = cached ? InputCache.logits(ctx.teacher(), data, ctx.batch(), cache) : null;
            int[] labels = cached ? labels(data, teacherLogits) : null;
            for (int epoch = 0; epoch < s.epochs(); epoch++) {
                student.startEpoch(epoch, s.epochs());
                int[] order = TeacherTrainer.permutation(data.count(), rnd);
                double sum = 0;
                double generatorSum = 0;
                for (int b = 0; b < batches; b++) {
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        Batch batch;
                        if (live == null) {
                            int[] idx = Arrays.copyOfRange(order, b * s.batch(), Math.min(data.count(), (b + 1) * s.batch()));
                            batch = crop == null ? fixed(data, idx, teacherLogits, labels, cache)
                                    : augmented(ctx.teacher(), data.select(idx), crop, rnd, cache);
                        } else {
                            ImageSet drawn = live.sample(s.batch());
                            NDArray x = drawn.batch(cache, 0, drawn.count());
                            NDArray t = Autograd.noGrad(() -> ctx.teacher().logits(x, false));
                            batch = new Batch(x, t, oneHot(drawn.labels(), (int) t.getShape().get(1), cache));
                        }
                        double value = studentStep(method, ctx.network(), student, batch, s, epoch, b);
                        double lr = s.lr() * (1 + Math.cos(Math.PI * step++ / total)) / 2;
                        weights.step(lr);
                        steps.step(lr);
                        sum += value;
                    }
                    if (live != null) {
                        generatorSum += live.step();
                    }
                }
                double mean = sum / batches;
                curve.add(mean);
                ctx.progress().metric(String.format("qat_loss_epoch_%02d", epoch + 1), mean);
                if (live != null) {
                    ctx.progress().metric(String.format("qat_generator_ce_epoch_%02d", epoch + 1), generatorSum / batches);
                }
                ctx.progress().message(String.format("%s epoch %d/%d loss %.5g%s", method, epoch + 1, s.epochs(), mean,
                        live == null ? "" : String.format(" (generator ce %.4g)", generatorSum / batches)));
            }
        }
        return curve;
    }

    /** A training batch: images, the teacher's logits, one-hot labels. */
    public record Batch(NDArray images, NDArray teacherLogits, NDArray oneHot) {}

    /**
     * w_kd * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + w_ce * CE(student, label) of the
     * student's {@code logits} on {@code batch}.
     */
    public static NDArray distillation(NDArray logits, Batch batch, Settings s) {
        NDArray loss = Scalars.mul(Distillation.kl(batch.teacherLogits(), logits, s.temperature()),
                s.kdWeight() * s.temperature() * s.temperature());
        if (s.ceWeight() > 0) {
            loss = loss.add(Scalars.mul(crossEntropy(logits, batch.oneHot()), s.ceWeight()));
        }
        return loss;
    }

    private static Batch fixed(ImageSet data, int[] idx, NDArray teacherLogits, int[] labels, NDManager cache) {
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            y[i] = labels[idx[i]];
        }
        NDArray t = teacherLogits.get(cache.create(idx));
        return new Batch(data.select(idx).batch(cache, 0, idx.length), t, oneHot(y, (int) t.getShape().get(1), cache));
    }

    /**
     * The images of {@code data} cropped and flipped by {@code crop}, the teacher's logits on them, and
     * their own labels where they have them, else the teacher's predictions.
     */
    private static Batch augmented(Net teacher, ImageSet data, RandomResizedCrop crop, Random rnd, NDManager cache) {
        NDArray x = crop.apply(data.batch(cache, 0, data.count()), rnd);
        NDArray t = Autograd.noGrad(() -> teacher.logits(x, false));
        int[] y = labels(data, t);
        return new Batch(x, t, oneHot(y, (int) t.getShape().get(1), cache));
    }

    /** Records the loss of {@code batch}, checks it and back-propagates it; returns its value. */
    private static double studentStep(String method, Net net, Student student, Batch batch, Settings s, int epoch,
            int b) {
        try (Autograd g = Autograd.record()) {
            student.install();
            NDArray loss = student.loss(net, batch, s);
            double value = loss.getFloat();
            if (!Double.isFinite(value)) {
                throw new IllegalStateException(method + " training diverged at epoch " + (epoch + 1) + ", batch "
                        + (b + 1) + ": loss " + value);
            }
            g.backward(loss);
            return value;
        }
    }

    private static NDArray oneHot(int[] labels, int classes, NDManager manager) {
        float[] y = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            y[i * classes + labels[i]] = 1f;
        }
        return manager.create(y, new Shape(labels.length, classes));
    }

    /** Mean cross entropy of (N, classes) logits against one-hot targets. */
    static NDArray crossEntropy(NDArray logits, NDArray oneHot) {
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
    }

    /** The images' own labels where they have them, else the teacher's predictions. */
    private static int[] labels(ImageSet data, NDArray teacherLogits) {
        if (data.hasLabels()) {
            return data.labels();
        }
        long[] argmax = teacherLogits.argMax(1).toLongArray();
        int[] out = new int[argmax.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) argmax[i];
        }
        return out;
    }
}

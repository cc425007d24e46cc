package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.BnTap;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.nn.Adam;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Divergence;
import io.dfq.quant.nn.Init;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Genie-D, the distillation half of Genie (Jeon, Lee, Kim, "Genie: Show Me the Data for
 * Quantization", CVPR 2023): images are neither free pixels (ZeroQ) nor the output of one generator
 * trained for the whole set, but, per batch of {@code batch} (128), x = G(z) with a fresh small
 * generator G ({@link GeneratorNet#genie}) and learnable latents z ~ N(0, I) of size {@code latent}
 * (256), both optimized for {@code iters} (4000) iterations; the batch's images are those of the last
 * iteration.
 *
 * <p>Loss, teacher in eval mode: L = sum_l [mean_c (mu_lc - mu_bn,lc)^2 + mean_c (sigma_lc -
 * sigma_bn,lc)^2] + w_input * (1 / N) sum_n,c [m_nc^2 + (s_nc - 1)^2], with mu, sigma the batch mean
 * and unbiased standard deviation of each BN layer's input, sigma_bn = sqrt(running var + 1e-6), and
 * m_nc, s_nc the mean and unbiased standard deviation of image n's channel c: the reference code's
 * input-normalisation term, on by default ({@code w_input} 1). One addition: the batch standard
 * deviations are sqrt(var + 1e-6) rather than sqrt(var), so a constant channel (a dead ReLU input)
 * gives a finite gradient instead of NaN.
 *
 * <p>Optimizers: Adam (betas 0.9, 0.999) on z with lr {@code lr_latent} 0.1 and ReduceLROnPlateau
 * (patience 100, min 1e-4) on L; Adam on G with lr {@code lr_gen} 0.01, multiplied by {@code gen_decay}
 * 0.95 every {@code decay_every} 100 iterations. These are the paper's values; the reference code
 * names its two learning rates the other way round ({@code lr_g} = 0.1 is given to the latents'
 * optimizer), so the values it applies are these. 1024 images.
 *
 * <p>Swing convolutions (switch {@code swing}): during synthesis every strided convolution of the
 * teacher shifts its input by a random +-1 pixel, reflect-padded ({@link QLayer#setSwing}), so the
 * images cannot exploit the stride's fixed sampling phase; switched off again afterwards.
 */
public final class Genie implements Generator {

    /** Added to the running and batch variances before the square root (the reference code's eps). */
    private static final float EPS = 1e-6f;

    @Override
    public String name() {
        return "genie";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.integer("iters", 4000, 1, 1_000_000, "iterations per batch"),
                ParamSpec.integer("batch", 128, 1, 4096, "images per fresh generator and latents"),
                ParamSpec.integer("latent", 256, 1, 4096, "latent size"),
                ParamSpec.real("lr_latent", 0.1, 1e-7, 10, "Adam learning rate of the latents"),
                ParamSpec.real("lr_gen", 0.01, 1e-7, 10, "Adam learning rate of the generator"),
                ParamSpec.integer("patience", 100, 1, 1_000_000, "latent plateau patience (iterations)"),
                ParamSpec.real("min_lr", 1e-4, 0, 10, "latent plateau learning-rate floor"),
                ParamSpec.real("gen_decay", 0.95, 0, 1, "generator learning-rate factor every decay_every"),
                ParamSpec.integer("decay_every", 100, 1, 1_000_000, "iterations between generator decays"),
                ParamSpec.real("w_input", 1.0, 0, 1000, "weight of the per-image input-normalisation term"),
                ParamSpec.bool("swing", true, "swing convolutions in the teacher's strided layers"),
                ParamSpec.real("width", 1.0, 0.01, 4, "generator width multiplier (128/64 channels at 1)"));
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
        Random rnd = new Random(ctx.seed());
        Random swingRnd = new Random(rnd.nextLong());
        Shape img = ctx.imageShape();
        int size = (int) img.size();
        float[] out = new float[ctx.samples() * size];
        double[] sums = new double[4];
        int batches = 0;
        try {
            swing(teacher, p.getBool("swing") ? swingRnd : null);
            for (int from = 0; from < ctx.samples(); from += p.getInt("batch")) {
                int n = Math.min(p.getInt("batch"), ctx.samples() - from);
                Optional<BatchCheckpoints.Finished> finished = ctx.checkpoints().restore(batches);
                double[] terms;
                if (finished.isPresent()) {
                    float[] pixels = finished.get().pixels();
                    System.arraycopy(pixels, 0, out, from * size, pixels.length);
                    rnd = finished.get().state(0, Random.class);
                    swingRnd = finished.get().state(1, Random.class);
                    terms = finished.get().state(2, double[].class);
                    swing(teacher, p.getBool("swing") ? swingRnd : null);
                } else {
                    terms = distill(ctx, p, rnd, n, out, from * size);
                    ctx.checkpoints().save(batches, Arrays.copyOfRange(out, from * size, (from + n) * size), rnd,
                            swingRnd, terms);
                }
                for (int i = 0; i < sums.length; i++) {
                    sums[i] += terms[i];
                }
                batches++;
                ctx.progress().message(String.format("genie batch %d: bn %.4f -> %.4f, input %.4f -> %.4f",
                        batches, terms[0], terms[1], terms[2], terms[3]));
            }
        } finally {
            swing(teacher, null);
        }
        return new SyntheticSet(new ImageSet(out, null, ctx.samples(), (int) img.get(0), (int) img.get(1),
                (int) img.get(2)), stats(sums, batches, p.getInt("iters")));
    }

    /** Switches the swing convolutions of {@code net} on (offsets drawn from {@code rnd}) or off (null). */
    private static void swing(Net net, Random rnd) {
        for (QLayer l : net.layers()) {
            l.setSwing(rnd);
        }
    }

    private static Map<String, Double> stats(double[] sums, int batches, int iters) {
        Map<String, Double> stats = new HashMap<>();
        stats.put("loss_bn_initial", sums[0] / batches);
        stats.put("loss_bn_final", sums[1] / batches);
        stats.put("loss_input_initial", sums[2] / batches);
        stats.put("loss_input_final", sums[3] / batches);
        stats.put("iterations", (double) iters);
        return stats;
    }

    /**
     * Distills one batch of {@code n} images into {@code out} at {@code offset}; returns the BN and
     * input terms of its first and last iteration: {bn first, bn last, input first, input last}.
     */
    private double[] distill(GenerationContext ctx, Params p, Random rnd, int n, float[] out, int offset) {
        int iters = p.getInt("iters");
        double[] terms = new double[4];
        try (NDManager m = ctx.manager().newSubManager();
                Batch b = new Batch(ctx.teacher(), p, m, rnd, n, ctx.imageShape())) {
            for (int it = 0; it < iters; it++) {
                double[] v = b.step(it, it == iters - 1 ? out : null, offset);
                if (it == 0) {
                    terms[0] = v[0];
                    terms[2] = v[1];
                }
                terms[1] = v[0];
                terms[3] = v[1];
            }
        }
        return terms;
    }

    /** One batch's distillation: a fresh generator and latents, their optimizers and schedules. */
    private final class Batch implements AutoCloseable {

        private final Net teacher;
        private final Params p;
        private final Taps taps;
        private final GeneratorNet generator;
        private final NDArray z;
        private final Adam latentAdam;
        private final Adam generatorAdam;
        private final Plateau latentLr;
        private double generatorLr;

        Batch(Net teacher, Params p, NDManager m, Random rnd, int n, Shape image) {
            this.teacher = teacher;
            this.p = p;
            int latent = p.getInt("latent");
            generator = GeneratorNet.genie(latent, image, p.getDouble("width"), rnd);
            generator.init(m);
            z = m.create(Init.gaussian(rnd, new Shape(n, latent), 1.0), new Shape(n, latent));
            z.setRequiresGradient(true);
            latentAdam = new Adam(List.of(z));
            generatorAdam = new Adam(GeneratorNet.trainable(generator));
            latentLr = new Plateau(p.getDouble("lr_latent"), p.getInt("patience"), p.getDouble("min_lr"));
            generatorLr = p.getDouble("lr_gen");
            taps = new Taps(teacher);
        }

        /** One iteration; copies the images into {@code out} unless null; returns {bn, input}. */
        double[] step(int it, float[] out, int offset) {
            double wInput = p.getDouble("w_input");
            double[] value;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                taps.clear();
                try (Autograd rec = Autograd.record()) {
                    NDArray x = generator.apply(z, true);
                    teacher.logits(x, false);
                    NDArray bn = taps.loss();
                    NDArray input = inputLoss(x);
                    NDArray loss = wInput > 0 ? bn.add(Scalars.mul(input, wInput)) : bn;
                    value = new double[] {loss.getFloat(), bn.getFloat(), input.getFloat()};
                    Divergence.check(name(), it, value[0]);
                    rec.backward(loss);
                    if (out != null) {
                        System.arraycopy(x.toFloatArray(), 0, out, offset, (int) x.size());
                    }
                }
                latentAdam.step(latentLr.current());
                generatorAdam.step(generatorLr);
            }
            latentLr.observe(value[0]);
            if ((it + 1) % p.getInt("decay_every") == 0) {
                generatorLr *= p.getDouble("gen_decay");
            }
            return new double[] {value[1], value[2]};
        }

        @Override
        public void close() {
            taps.close();
            latentAdam.close();
            generatorAdam.close();
        }
    }

    /**
     * The input-normalisation term: (1 / N) sum over images n and channels c of m_nc^2 + (s_nc -
     * 1)^2, with m, s the mean and unbiased standard deviation of the channel's pixels.
     */
    static NDArray inputLoss(NDArray x) {
        Shape s = x.getShape();
        NDArray flat = x.reshape(s.get(0) * s.get(1), -1);
        NDArray mean = flat.mean(new int[] {1});
        long count = flat.getShape().get(1);
        NDArray var = Scalars.mul(flat.sub(mean.reshape(-1, 1)).square().sum(new int[] {1}), 1.0 / (count - 1));
        return Scalars.mul(mean.square().sum().add(std(var).sub(1).square().sum()), 1.0 / s.get(0));
    }

    private static NDArray std(NDArray var) {
        return var.add(EPS).sqrt();
    }

    /**
     * Collects, during a forward pass, each BN layer's batch mean and unbiased standard deviation
     * (Genie's statistics; {@link BnStatistics} keeps the biased variance other methods use).
     */
    static final class Taps implements BnTap, AutoCloseable {

        private record Layer(TapBatchNorm bn, NDArray mean, NDArray std) {}

        private final Net net;
        private final List<Layer> layers = new ArrayList<>();

        Taps(Net net) {
            this.net = net;
            net.tap(this);
        }

        @Override
        public void observe(TapBatchNorm bn, NDArray input) {
            NDArray[] s = TapBatchNorm.channelStats(input);
            long count = input.size() / input.getShape().get(1);
            layers.add(new Layer(bn, s[0], std(Scalars.mul(s[1], (double) count / (count - 1)))));
        }

        void clear() {
            layers.clear();
        }

        /** sum_l mean_c (mu - mu_bn)^2 + mean_c (sigma - sqrt(var_bn + 1e-6))^2. */
        NDArray loss() {
            if (layers.isEmpty()) {
                throw new IllegalStateException("no BatchNorm layer observed");
            }
            NDArray total = null;
            for (Layer l : layers) {
                NDArray term = l.mean().sub(l.bn().runningMean()).square().mean()
                        .add(l.std().sub(std(l.bn().runningVar())).square().mean());
                total = total == null ? term : total.add(term);
            }
            return total;
        }

        @Override
        public void close() {
            net.tap(null);
        }
    }
}

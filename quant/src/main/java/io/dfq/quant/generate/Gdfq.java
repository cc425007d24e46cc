package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.nn.Init;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * GDFQ's conditional generator (Xu, Li, Zhuang, Liu, Cao, Liang, Tan, "Generative Low-bitwidth Data
 * Free Quantization", ECCV 2020).
 *
 * <p>G(z, y) = generator(embed(y) * z) (the label embedding multiplies the latent, as the reference
 * code does), z ~ N(0, I) of size {@code latent} (100), embed a learned classes x latent table and
 * the generator {@link GeneratorNet#gdfq}. Loss, per batch of {@code batch} (200) samples with
 * uniformly random labels, teacher in eval mode: L = w_ce * CE(T(G(z, y)), y) + w_bns * BNS, w_ce 1,
 * w_bns 0.1, BNS = (1 / L) sum_l [mean_c (mu_lc - mu_bn,lc)^2 + mean_c (var_lc - var_bn,lc)^2] over
 * the teacher's L BN layers (biased batch variance against the running variance, as the reference
 * code). Adam lr 1e-3, betas (0.5, 0.999).
 *
 * <p>Schedule: the paper trains the generator for 400 epochs x 200 iterations jointly with the
 * quantized student (the student's KD loss does not reach the generator). Here the generator is
 * trained against the FP32 teacher alone for {@code iters} iterations (default 200, one of the
 * paper's epochs), then {@code samples} images are drawn with round-robin labels, generator BN in
 * training mode; the trained generator is kept with the set, and {@code qat-kd} resumes it to
 * train jointly with the student ({@link #resume}). Class-conditional: the images carry their labels.
 */
public final class Gdfq implements Generator {

    @Override
    public String name() {
        return "gdfq";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.integer("iters", 200, 1, 1_000_000, "generator iterations (paper: 400 x 200)"),
                ParamSpec.integer("batch", 200, 1, 4096, "generated images per iteration"),
                ParamSpec.integer("latent", 100, 1, 4096, "latent (and label embedding) size"),
                ParamSpec.real("lr", 1e-3, 1e-7, 1, "Adam learning rate"),
                ParamSpec.real("beta1", 0.5, 0, 0.999999, "Adam beta1"),
                ParamSpec.real("beta2", 0.999, 0, 0.999999, "Adam beta2"),
                ParamSpec.real("w_ce", 1.0, 0, 1000, "weight of the teacher's cross entropy on the labels"),
                ParamSpec.real("w_bns", 0.1, 0, 1000, "weight of the BN-statistics loss"),
                ParamSpec.real("width", 1.0, 0.01, 4, "generator width multiplier (128/64 channels at 1)"));
    }

    @Override
    public Optional<String> unsupportedReason(JsonNode trial) {
        return ConditionalSynthesis.bnsReason(this, trial);
    }

    @Override
    public SyntheticSet generate(GenerationContext ctx) {
        return ConditionalSynthesis.generate(this, ctx, Gdfq::model);
    }

    @Override
    public Optional<LiveGenerator> resume(GenerationContext ctx, List<float[]> state) {
        return ConditionalSynthesis.resume(this, ctx, state, Gdfq::model);
    }

    private static Conditional model(GenerationContext ctx, Params p, NDManager m, Random rnd) {
        return new Conditional(m, rnd, ctx.teacher().classes(), p.getInt("latent"),
                ctx.imageShape(), p.getDouble("width"));
    }

    /** G(z, y) = generator(embed(y) * z). */
    private static final class Conditional implements ConditionalSynthesis.Model {

        private final int classes;
        private final int latent;
        private final GeneratorNet.Embedding embedding;
        private final GeneratorNet net;

        Conditional(NDManager m, Random rnd, int classes, int latent, Shape image, double width) {
            this.classes = classes;
            this.latent = latent;
            embedding = new GeneratorNet.Embedding(classes, latent, rnd);
            embedding.initialize(m, DataType.FLOAT32, new Shape(1, classes));
            net = GeneratorNet.gdfq(latent, image, width, rnd);
            net.init(m);
        }

        @Override
        public List<NDArray> parameters() {
            return GeneratorNet.trainable(embedding, net);
        }

        @Override
        public ConditionalSynthesis.Batch draw(Random rnd, int n, int first) {
            float[] z = Init.gaussian(rnd, new Shape(n, latent), 1.0);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = ConditionalSynthesis.drawClass(rnd, first, i, classes);
            }
            float[] targets = ConditionalSynthesis.oneHot(y, classes);
            return new ConditionalSynthesis.Batch(m -> {
                NDArray embedded = embedding.apply(m.create(targets, new Shape(n, classes)), true);
                return net.apply(embedded.mul(m.create(z, new Shape(n, latent))), true);
            }, targets, y);
        }
    }
}

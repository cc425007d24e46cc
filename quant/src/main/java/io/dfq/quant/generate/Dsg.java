package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
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
 * DSG (X. Zhang, H. Qin, Y. Ding, R. Gong, Q. Yan, R. Tao, Y. Li, F. Yu, X. Liu, "Diversifying
 * Sample Generation for Accurate Data-Free Quantization", CVPR 2021): ZeroQ-style pixel synthesis
 * whose BN alignment is relaxed so that images need not all collapse onto the running statistics.
 *
 * <p>As in the reference code (github.com/htqin/DSG, {@code distill_data.py}), statistics are per
 * image: mu_ilc and sigma_ilc = sqrt(var_ilc + eps) are image i's spatial mean and (biased)
 * standard deviation of channel c of BN layer l's input. Slack distribution alignment: L_il = sum_c
 * max(|mu_ilc - mu_bn,lc| - delta_l, 0)^2 + max(|sigma_ilc - sigma_bn,lc| - gamma_l, 0)^2, where
 * delta_l and gamma_l are the {@code quantile} (0.9) quantiles, over images and channels, of the
 * same two gaps measured once per set on one batch of N(0, 1) images through the teacher: one
 * margin per layer, as the reference code broadcasts one value per layer ({@code slack} false:
 * margins 0). Layerwise sample enhancement: L = (1/N) sum_i sum_l (1 + [i = l]) L_il, i.e. image i
 * counts layer i's term twice (the paper's (1/N) 1^T (I + 11^T) weighting; the reference code
 * doubles the gap before squaring, a weight of 4), with a batch as large as the number of BN layers
 * so every layer has its image ({@code lse} false: all weights 1). The reference code adds ZeroQ's
 * input term (each image's mean and std pulled to 0 and 1, {@link ZeroQ#inputLoss}), kept as
 * {@code input_term}. Adam lr 0.5 (the paper; the code uses 0.9), 500 iterations, ReduceLROnPlateau
 * with the code's patience 260 and floor 1e-4.
 */
public final class Dsg implements Generator {

    @Override
    public String name() {
        return "dsg";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.integer("iters", 500, 1, 100000, "Adam iterations per batch"),
                ParamSpec.real("lr", 0.5, 1e-6, 10, "Adam learning rate (paper 0.5, reference code 0.9)"),
                ParamSpec.integer("batch", 0, 0, 4096, "images optimized together; 0 = number of BN layers"),
                ParamSpec.bool("slack", true, "relax the alignment by margins measured on Gaussian noise"),
                ParamSpec.real("quantile", 0.9, 0, 1, "quantile of the noise gaps that sets the margins"),
                ParamSpec.bool("lse", true, "layerwise sample enhancement: image i counts layer i twice"),
                ParamSpec.bool("input_term", true, "match each image's mean/std to N(0, 1)"),
                ParamSpec.integer("patience", 260, 1, 100000, "plateau patience (iterations)"),
                ParamSpec.real("min_lr", 1e-4, 0, 10, "plateau learning-rate floor"));
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
        int layers = teacher.batchNorms().size();
        int batch = p.getInt("batch") == 0 ? layers : p.getInt("batch");
        Shape img = ctx.imageShape();
        int size = (int) img.size();
        BatchRun run = new BatchRun(ctx.seed());
        Margins margins = p.getBool("slack")
                ? noiseMargins(ctx, Init.gaussian(run.rnd(), new Shape(batch).addAll(img), 1.0), batch, p)
                : new Margins(new float[layers], new float[layers]);
        float[] out = new float[ctx.samples() * size];
        int batches = (ctx.samples() + batch - 1) / batch;
        for (int b = 0, from = 0; from < ctx.samples(); b++, from += batch) {
            int n = Math.min(batch, ctx.samples() - from);
            float[] pixels = run.batch(ctx, b, () -> {
                float[] init = Init.gaussian(run.rnd(), new Shape(n).addAll(img), 1.0);
                optimizeBatch(ctx, init, n, p, margins, run.terms());
                return init;
            });
            System.arraycopy(pixels, 0, out, from * size, n * size);
            LossTerms terms = run.terms();
            ctx.progress().message(String.format("dsg batch %d/%d: loss %.4f -> %.4f", b + 1, batches,
                    terms.first(LossTerms.TOTAL), terms.last(LossTerms.TOTAL)));
            terms.endBatch();
        }
        Map<String, Double> stats = run.terms().stats();
        stats.put("iterations", (double) p.getInt("iters"));
        stats.put("batch", (double) batch);
        stats.put("slack_delta_mean", mean(margins.delta()));
        stats.put("slack_gamma_mean", mean(margins.gamma()));
        return new SyntheticSet(new ImageSet(out, null, ctx.samples(), (int) img.get(0), (int) img.get(1),
                (int) img.get(2)), stats);
    }

    /** Optimizes one batch in place ({@code pixels} receives the result). */
    private void optimizeBatch(GenerationContext ctx, float[] pixels, int n, Params p, Margins margins,
            LossTerms terms) {
        Net teacher = ctx.teacher();
        boolean lse = p.getBool("lse");
        boolean inputTerm = p.getBool("input_term");
        try (NDManager batchManager = ctx.manager().newSubManager();
                SampleBnStatistics taps = new SampleBnStatistics(teacher)) {
            NDArray x = batchManager.create(pixels, new Shape(n).addAll(ctx.imageShape()));
            x.setRequiresGradient(true);
            PixelOptimization.run(name(), x, p, it -> {
                taps.clear();
                teacher.logits(x, false);
                NDArray loss = terms.add(null, "bn", 1, alignment(taps.layers(), margins, lse));
                return inputTerm ? terms.add(loss, "input", 1, ZeroQ.inputLoss(x)) : loss;
            }, loss -> terms.total(name(), loss));
            float[] result = x.toFloatArray();
            System.arraycopy(result, 0, pixels, 0, result.length);
        }
    }

    /** The slack margins of every BN layer, measured on the Gaussian images {@code noise}. */
    private static Margins noiseMargins(GenerationContext ctx, float[] noise, int n, Params p) {
        try (NDManager m = ctx.manager().newSubManager()) {
            return Margins.measure(ctx.teacher(), m.create(noise, new Shape(n).addAll(ctx.imageShape())),
                    p.getDouble("quantile"));
        }
    }

    /**
     * Per BN layer l, the slack margins delta_l (mean) and gamma_l (std): quantiles of the gaps
     * between per-image statistics and running statistics.
     */
    record Margins(float[] delta, float[] gamma) {

        /** The {@code q}-quantiles of the gaps of the images {@code noise} through {@code teacher}. */
        static Margins measure(Net teacher, NDArray noise, double q) {
            try (NDScope scope = new NDScope();
                    SampleBnStatistics taps = new SampleBnStatistics(teacher);
                    Autograd off = Autograd.off()) {
                scope.suppressNotUsedWarning();
                teacher.logits(noise, false);
                List<SampleBnStatistics.Layer> layers = taps.layers();
                float[] delta = new float[layers.size()];
                float[] gamma = new float[layers.size()];
                for (int l = 0; l < layers.size(); l++) {
                    delta[l] = quantile(meanGap(layers.get(l)).toFloatArray(), q);
                    gamma[l] = quantile(stdGap(layers.get(l)).toFloatArray(), q);
                }
                return new Margins(delta, gamma);
            }
        }
    }

    /** (1/N) sum_l (sum_i L_il + L_ll): the slack alignment with (or without) sample enhancement. */
    static NDArray alignment(List<SampleBnStatistics.Layer> layers, Margins margins, boolean lse) {
        if (layers.size() != margins.delta().length) {
            throw new IllegalStateException(layers.size() + " BN layers observed, margins for "
                    + margins.delta().length);
        }
        NDArray total = null;
        long n = 0;
        for (int l = 0; l < layers.size(); l++) {
            NDArray perImage = sampleLoss(layers.get(l), margins.delta()[l], margins.gamma()[l]);
            n = perImage.size();
            NDArray term = perImage.sum();
            if (lse && l < n) {
                term = term.add(perImage.get(l));
            }
            total = total == null ? term : total.add(term);
        }
        return Scalars.div(total, n);
    }

    /** L_il for every image i of one layer: (N). */
    static NDArray sampleLoss(SampleBnStatistics.Layer layer, float delta, float gamma) {
        NDArray mean = Scalars.max(meanGap(layer).sub(delta), 0).square();
        NDArray std = Scalars.max(stdGap(layer).sub(gamma), 0).square();
        return mean.add(std).sum(new int[] {1});
    }

    /** |mu_ic - mu_bn,c| (N, C). */
    static NDArray meanGap(SampleBnStatistics.Layer layer) {
        return layer.mean().sub(layer.bn().runningMean()).abs();
    }

    /** |sigma_ic - sigma_bn,c| (N, C), sigma = sqrt(var + eps) on both sides. */
    static NDArray stdGap(SampleBnStatistics.Layer layer) {
        NDArray bnStd = layer.bn().runningVar().add(TapBatchNorm.EPS).sqrt();
        return layer.var().add(TapBatchNorm.EPS).sqrt().sub(bnStd).abs();
    }

    /** The {@code q}-quantile of {@code values} with linear interpolation (NumPy's default). */
    static float quantile(float[] values, double q) {
        float[] v = values.clone();
        Arrays.sort(v);
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, v.length - 1);
        return (float) (v[lo] + (v[hi] - v[lo]) * (pos - lo));
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return v.length == 0 ? 0 : s / v.length;
    }
}

package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.nn.Init;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ZeroQ's distilled data (Cai et al., "ZeroQ: A Novel Zero Shot Quantization Framework", CVPR
 * 2020): pixels start from N(0, 1) and are optimized with Adam so that, at every BN layer, the batch
 * mean and standard deviation of the layer's input match the running statistics:
 * L = sum_l ||mu_l - mu_bn||^2 / C_l + ||sigma_l - sigma_bn||^2 / C_l (sigma = sqrt(var + eps)),
 * plus the same term pulling each image's per-channel mean and std to 0 and 1 (the input
 * distribution term of the reference code). Adam lr 0.5, 500 iterations per batch of 32,
 * ReduceLROnPlateau (factor 0.1, patience 100, min lr 1e-4).
 */
public final class ZeroQ implements Generator {

    @Override
    public String name() {
        return "zeroq";
    }

    @Override
    public List<ParamSpec> params() {
        return PixelOptimization.params(500, 32, 1, 100,
                ParamSpec.bool("input_term", true, "match each image's mean/std to N(0, 1)"));
    }

    @Override
    public Optional<String> unsupportedReason(JsonNode trial) {
        return BnRequirement.check(this, trial);
    }

    @Override
    public SyntheticSet generate(GenerationContext ctx) {
        Params p = Params.of(this, ctx.params());
        int iters = p.getInt("iters");
        int batch = p.getInt("batch");
        Net teacher = ctx.teacher();
        BnRequirement.require(this, teacher);
        Shape img = ctx.imageShape();
        int size = (int) img.size();
        float[] out = new float[ctx.samples() * size];
        BatchRun run = new BatchRun(ctx.seed());
        for (int b = 0, from = 0; from < ctx.samples(); b++, from += batch) {
            int n = Math.min(batch, ctx.samples() - from);
            float[] pixels = run.batch(ctx, b, () -> {
                float[] init = Init.gaussian(run.rnd(), new Shape(n).addAll(img), 1.0);
                double[] losses = optimizeBatch(ctx, teacher, init, n, img, p);
                run.terms().record("bn", losses[0]);
                run.terms().record("bn", losses[1]);
                return init;
            });
            System.arraycopy(pixels, 0, out, from * size, n * size);
            LossTerms terms = run.terms();
            ctx.progress().message(String.format("zeroq batch %d: loss %.4f -> %.4f", b + 1, terms.first("bn"),
                    terms.last("bn")));
            terms.endBatch();
        }
        Map<String, Double> stats = run.terms().stats();
        stats.put("iterations", (double) iters);
        return new SyntheticSet(
                new ImageSet(out, null, ctx.samples(), (int) img.get(0), (int) img.get(1), (int) img.get(2)), stats);
    }

    /** Optimizes one batch in place ({@code pixels} receives the result); returns first and last loss. */
    private double[] optimizeBatch(GenerationContext ctx, Net teacher, float[] pixels, int n, Shape img, Params p) {
        boolean inputTerm = p.getBool("input_term");
        try (NDManager batchManager = ctx.manager().newSubManager();
                BnStatistics taps = new BnStatistics(teacher)) {
            NDArray x = batchManager.create(pixels, new Shape(n).addAll(img));
            x.setRequiresGradient(true);
            double[] firstLast = {Double.NaN, Double.NaN};
            PixelOptimization.run(name(), x, p, it -> {
                taps.clear();
                teacher.logits(x, false);
                NDArray loss = taps.meanStdDistance();
                return inputTerm ? loss.add(inputLoss(x)) : loss;
            }, loss -> {
                double v = loss.getFloat();
                firstLast[0] = Double.isNaN(firstLast[0]) ? v : firstLast[0];
                firstLast[1] = v;
                return v;
            });
            float[] result = x.toFloatArray();
            System.arraycopy(result, 0, pixels, 0, result.length);
            return firstLast;
        }
    }

    /** Per-image, per-channel mean and std of the input pulled to 0 and 1. */
    static NDArray inputLoss(NDArray x) {
        NDArray[] m = inputMoments(x);
        return m[0].square().mean().add(m[1].sub(1).square().mean());
    }

    /** Each image's per-channel mean and std, as {mean, std} over (image, channel). */
    static NDArray[] inputMoments(NDArray x) {
        Shape s = x.getShape();
        NDArray flat = x.reshape(s.get(0) * s.get(1), -1);
        NDArray mean = flat.mean(new int[] {1});
        NDArray var = flat.sub(mean.reshape(-1, 1)).square().mean(new int[] {1});
        return new NDArray[] {mean, var.add(TapBatchNorm.EPS).sqrt()};
    }
}

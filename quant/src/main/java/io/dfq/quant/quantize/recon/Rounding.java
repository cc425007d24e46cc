package io.dfq.quant.quantize.recon;

import io.dfq.quant.qcore.LpObserver;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.ptq.Calibration;
import io.dfq.quant.quantize.recon.Reconstruction.Granularity;
import io.dfq.quant.quantize.recon.Reconstruction.Input;
import io.dfq.quant.quantize.recon.Reconstruction.Pass;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * The recipe parameters every AdaRound-based method shares (iterations, batch, regularizer and its
 * schedule, learning rate, norms of the initial range search), their initialisation and the
 * passes built from them.
 */
public final class Rounding {

    private Rounding() {}

    /** The shared parameters, with the method's published iteration count and rounding lr. */
    public static List<ParamSpec> params(int iterations, double lr) {
        return new ArrayList<>(List.of(
                ParamSpec.integer("iters", iterations, 1, 1_000_000, "reconstruction iterations per unit"),
                ParamSpec.integer("batch", 32, 1, 4096, "images per reconstruction iteration"),
                ParamSpec.real("lambda", 0.01, 0, 100, "weight of the rounding regularizer"),
                ParamSpec.real("warmup", 0.2, 0, 0.99, "fraction of iterations without the regularizer"),
                ParamSpec.real("beta_start", 20, 1, 100, "regularizer exponent after warm-up"),
                ParamSpec.real("beta_end", 2, 1, 100, "regularizer exponent at the last iteration"),
                ParamSpec.real("lr", lr, 0, 1, "Adam learning rate of the soft rounding variables"),
                ParamSpec.real("p", 2.0, 1, 10, "norm of the reconstruction error"),
                ParamSpec.real("weight_p", 2.4, 0.5, 10, "norm of the initial per-channel weight range search"),
                ParamSpec.real("act_p", 2.0, 0.5, 10, "norm of the initial activation range search")));
    }

    /** QDrop's parameters: the activation steps' learning rate and the keep probability. */
    public static List<ParamSpec> dropParams() {
        return List.of(
                ParamSpec.real("act_lr", 4e-5, 0, 1, "Adam learning rate of the activation steps (cosine decay)"),
                ParamSpec.real("keep", 0.5, 0, 1, "probability that an activation element is quantized"));
    }

    /**
     * The starting point of every reconstruction: per-channel weight ranges by the Lp search
     * ({@code weight_p}), activation ranges by the Lp search ({@code act_p}) on the calibration set.
     */
    public static void initialize(QuantizationContext ctx, Params p) {
        Calibration.run(ctx, new LpObserver(p.getDouble("weight_p")), new LpObserver(p.getDouble("act_p")), false);
    }

    /**
     * A pass that learns the rounding with the shared parameters, on the quantized network's inputs,
     * activations unquantized (AdaRound, BRECQ's first pass).
     */
    public static Pass weights(Params p, Granularity granularity) {
        return pass(p, granularity, 0, 0, false, Input.QUANTIZED, 1);
    }

    /**
     * A pass that learns the rounding, the weight steps ({@code lrWeightStep} > 0) and the activation
     * steps at once, activations quantized, on the given inputs with QDrop's {@code keep}.
     */
    public static Pass joint(Params p, Granularity granularity, double lrWeightStep, double lrAct, Input input,
            double keep) {
        return pass(p, granularity, lrWeightStep, lrAct, true, input, keep);
    }

    private static Pass pass(Params p, Granularity granularity, double lrWeightStep, double lrAct,
            boolean activations, Input input, double keep) {
        int iters = p.getInt("iters");
        return new Pass(granularity, iters, p.getInt("batch"), p.getDouble("lambda"),
                new BetaSchedule(iters, p.getDouble("warmup"), p.getDouble("beta_start"), p.getDouble("beta_end")),
                p.getDouble("p"), p.getDouble("lr"), lrWeightStep, lrAct, activations, input, keep);
    }
}

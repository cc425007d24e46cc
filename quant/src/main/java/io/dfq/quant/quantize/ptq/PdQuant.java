package io.dfq.quant.quantize.ptq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.generate.Plateau;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.Segment;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.nn.Adam;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Distillation;
import io.dfq.quant.nn.Divergence;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.pipeline.ProgressListener;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.recon.InputCache;
import io.dfq.quant.quantize.recon.Reconstruction;
import io.dfq.quant.quantize.recon.Reconstruction.ExtraLoss;
import io.dfq.quant.quantize.recon.Reconstruction.FpInputHook;
import io.dfq.quant.quantize.recon.Reconstruction.Granularity;
import io.dfq.quant.quantize.recon.Reconstruction.Input;
import io.dfq.quant.quantize.recon.Reconstruction.Pass;
import io.dfq.quant.quantize.recon.Rounding;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * PD-Quant (Liu et al., "PD-Quant: Post-Training Quantization Based on Prediction Difference
 * Metric", CVPR 2023), as the reference code (hustvl/PD-Quant) computes it: QDrop's block
 * reconstruction (rounding and LSQ activation steps learned together, activations quantized, every
 * activation element inside the block and every element of the block's input quantized with
 * probability {@code keep} 0.5, else full precision) with two additions.
 *
 * <p>Prediction difference: in every iteration the block, soft weights installed, also runs on its
 * pure quantized-network input (dropping inside the block as above); its output goes through the FP
 * remainder of the network (the teacher's blocks after it, BN in eval mode: the FP folded network)
 * to logits z_q, and the loss gains KL(softmax(z_fp / T) || softmax(z_q / T)) / lambda_r, averaged
 * over the batch (no T^2 factor), z_fp being the FP teacher's logits of the same calibration images
 * (T = 4, lambda_r = 0.1).
 *
 * <p>Distribution correction: before a block's targets are computed, its FP inputs x_0 are
 * optimized, batch by batch, with Adam (lr 1e-3, ReduceLROnPlateau patience 100, min lr 1e-5, 500
 * iterations) on sum over the BN layers of the teacher block of ||mu_bn - mu||^2 / N +
 * ||sqrt(var_bn + 1e-6) - sd||^2 / N, mu and sd being the per-sample, per-channel mean and standard
 * deviation (sqrt of the unbiased variance + 1e-6) over H, W of the BN layer's input, plus
 * lp_loss(x, x_0, 2) / lambda_c (lambda_c = 0.02); the corrected inputs give the block's targets and
 * the FP side of QDrop's input mix. Blocks without BN keep their inputs; {@code dc_iters} 0 switches
 * the correction off.
 *
 * <p>Rounding: Adam lr 3e-3 (the reference code's), regularizer weight 0.01; activation steps: Adam
 * 4e-5 with cosine decay; 20k iterations per block, batch 32.
 */
public final class PdQuant implements Quantizer {

    private static final int DC_PATIENCE = 100;
    private static final double DC_MIN_LR = 1e-5;
    private static final double DC_EPS = 1e-6;

    @Override
    public String name() {
        return "pdquant";
    }

    @Override
    public List<ParamSpec> params() {
        List<ParamSpec> out = Rounding.params(20_000, 3e-3);
        out.addAll(Rounding.dropParams());
        out.add(ParamSpec.real("T", 4.0, 1e-3, 1e3, "temperature of the prediction-difference KL"));
        out.add(ParamSpec.real("lambda_r", 0.1, 1e-6, 1e6, "divisor of the prediction-difference KL"));
        out.add(ParamSpec.integer("dc_iters", 500, 0, 1_000_000,
                "distribution-correction Adam iterations per batch (0: no correction)"));
        out.add(ParamSpec.real("dc_lr", 1e-3, 0, 10, "distribution-correction Adam learning rate (plateau decay)"));
        out.add(ParamSpec.real("dc_lambda", 0.02, 1e-6, 1e6, "divisor of the distribution-correction constraint"));
        return out;
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        Rounding.initialize(ctx, p);
        Pass pass = Rounding.joint(p, Granularity.BLOCK, 0, p.getDouble("act_lr"), Input.MIXED, p.getDouble("keep"));
        int dcIters = p.getInt("dc_iters");
        FpInputHook correction = dcIters == 0 ? null : (unit, segment, inputs, manager) -> {
            Correction c = correct(ctx.teacher(), segment, inputs, pass.batch(), dcIters, p.getDouble("dc_lr"),
                    p.getDouble("dc_lambda"), manager);
            if (!Double.isNaN(c.first())) {
                ctx.progress().message(String.format("%s %s dc loss %.5g -> %.5g", name(), segment.name(), c.first(),
                        c.last()));
            }
            return c.inputs();
        };
        try (NDManager logits = ctx.manager().newSubManager()) {
            PredictionDifference kl = new PredictionDifference(name(), Reconstruction.units(ctx.teacher(),
                    Granularity.BLOCK), InputCache.logits(ctx.teacher(), ctx.calibration(), ctx.batch(), logits), p.getDouble("T"), p.getDouble("lambda_r"),
                    pass.iterations(), ctx.progress());
            new Reconstruction(name(), ctx).run(pass, kl, correction);
        }
    }

    /** PD-Quant's prediction-difference term, reported at the iterations where the reconstruction reports. */
    private static final class PredictionDifference implements ExtraLoss {

        private final String method;
        private final List<Segment> teacher;
        private final NDArray fpLogits;
        private final double temperature;
        private final double lambda;
        private final int iterations;
        private final int report;
        private final ProgressListener progress;
        private int unit = -1;
        private int calls;

        PredictionDifference(String method, List<Segment> teacher, NDArray fpLogits, double temperature,
                double lambda, int iterations, ProgressListener progress) {
            this.method = method;
            this.teacher = teacher;
            this.fpLogits = fpLogits;
            this.temperature = temperature;
            this.lambda = lambda;
            this.iterations = iterations;
            this.report = Math.max(1, iterations / 4);
            this.progress = progress;
        }

        @Override
        public NDArray loss(int unit, Segment segment, NDArray quantizedInput, int[] indices) {
            if (unit != this.unit) {
                this.unit = unit;
                calls = 0;
            }
            calls++;
            NDArray z = segment.apply(quantizedInput, false);
            for (Segment s : teacher.subList(unit + 1, teacher.size())) {
                z = s.apply(z, false);
            }
            NDArray kl = Distillation.kl(fpLogits.get(fpLogits.getManager().create(indices)), z, temperature);
            if (calls % report == 0 || calls == 1) {
                progress.message(String.format("%s %s iter %d/%d kl %.5g", method, segment.name(), calls, iterations,
                        kl.getFloat()));
            }
            return Scalars.div(kl, lambda);
        }
    }

    /**
     * Corrected FP inputs of a block and the correction objective at the first and last iteration,
     * averaged over batches (NaN when the block has no BN and its inputs are returned unchanged).
     */
    record Correction(NDArray inputs, double first, double last) {}

    /**
     * Distribution correction of {@code inputs}, the FP inputs of {@code unit} (a segment of {@code
     * teacher}): each batch of {@code batch} rows optimized for {@code iters} Adam iterations from lr
     * {@code lr} (plateau decay) on {@link #correctionObjective}; the result on {@code manager}.
     */
    static Correction correct(Net teacher, Segment unit, NDArray inputs, int batch, int iters, double lr,
            double lambda, NDManager manager) {
        if (unit.layers().stream().allMatch(l -> l.batchNorm() == null)) {
            return new Correction(inputs, Double.NaN, Double.NaN);
        }
        long n = inputs.getShape().get(0);
        NDList parts = new NDList();
        double first = 0;
        double last = 0;
        int batches = 0;
        try (NDManager scope = manager.newSubManager()) {
            for (long from = 0; from < n; from += batch) {
                NDArray original = inputs.get(from + ":" + Math.min(n, from + batch));
                original.attach(scope);
                NDArray x = original.duplicate();
                x.setRequiresGradient(true);
                double[] losses = correctBatch(teacher, unit, x, original, iters, lr, lambda);
                first += losses[0];
                last += losses[1];
                batches++;
                parts.add(x);
            }
            NDArray all = parts.size() == 1 ? parts.get(0).duplicate() : NDArrays.concat(parts);
            all.attach(manager);
            return new Correction(all, first / batches, last / batches);
        }
    }

    /** Optimizes the leaf {@code x} in place; returns the objective at the first and last iteration. */
    private static double[] correctBatch(Net teacher, Segment unit, NDArray x, NDArray original, int iters,
            double lr, double lambda) {
        Plateau schedule = new Plateau(lr, DC_PATIENCE, DC_MIN_LR);
        double[] firstLast = {Double.NaN, Double.NaN};
        try (Adam adam = new Adam(List.of(x))) {
            for (int it = 0; it < iters; it++) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    double v;
                    try (Autograd g = Autograd.record()) {
                        NDArray loss = correctionObjective(teacher, unit, x, original, lambda);
                        v = loss.getFloat();
                        Divergence.check("pdquant correction " + unit.name(), it, v);
                        g.backward(loss);
                    }
                    adam.step(schedule.current());
                    schedule.observe(v);
                    firstLast[0] = it == 0 ? v : firstLast[0];
                    firstLast[1] = v;
                }
            }
        }
        return firstLast;
    }

    /**
     * The correction objective of inputs {@code x} of {@code unit} (a segment of {@code teacher})
     * started from {@code original}: the BN-statistics term of every BN layer of the unit plus
     * lp_loss(x, original, 2) / {@code lambda}. Build inside an {@link NDScope}.
     */
    static NDArray correctionObjective(Net teacher, Segment unit, NDArray x, NDArray original, double lambda) {
        List<NDArray> terms = new ArrayList<>();
        teacher.tap((bn, input) -> terms.add(bnTerm(bn, input)));
        try {
            unit.apply(x, false);
        } finally {
            teacher.tap(null);
        }
        NDArray loss = Scalars.div(Reconstruction.lpLoss(x, original, 2), lambda);
        for (NDArray t : terms) {
            loss = loss.add(t);
        }
        return loss;
    }

    /**
     * ||mu_bn - mu||^2 / N + ||sqrt(var_bn + 1e-6) - sd||^2 / N for the input t (N, C, H, W) of
     * {@code bn}, mu and sd (N, C) being each sample's channel means and standard deviations over H, W
     * (sqrt of the unbiased variance + 1e-6), the running statistics broadcast over the samples.
     */
    private static NDArray bnTerm(TapBatchNorm bn, NDArray t) {
        Shape s = t.getShape();
        NDArray flat = t.reshape(s.get(0), s.get(1), -1);
        NDArray mu = flat.mean(new int[] {2});
        NDArray centred = flat.sub(mu.expandDims(2));
        NDArray var = Scalars.div(centred.square().sum(new int[] {2}), flat.getShape().get(2) - 1);
        NDArray sd = var.add(DC_EPS).sqrt();
        NDArray runningSd = bn.runningVar().add(DC_EPS).sqrt();
        NDArray distance = mu.sub(bn.runningMean()).square().sum().add(sd.sub(runningSd).square().sum());
        return Scalars.div(distance, s.get(0));
    }
}

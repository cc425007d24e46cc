package io.dfq.quant.quantize.recon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.Segment;
import io.dfq.quant.nn.Adam;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Divergence;
import io.dfq.quant.nn.RandomMask;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.quantize.QuantizationContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Reconstruction-based PTQ, written once for AdaRound, BRECQ, QDrop, Genie-M, PD-Quant and
 * AQuant: units (single layers or BRECQ's blocks) are reconstructed in forward order; each sees the
 * quantized network's inputs (all earlier units already quantized), the FP teacher's, or QDrop's
 * mix of both, and matches the FP teacher's outputs for the teacher's own inputs; the loss is the Lp reconstruction error summed over
 * channels and averaged over the rest (BRECQ's {@code lp_loss}) plus lambda times AdaRound's
 * rounding regularizer, plus an optional method term. Soft-rounding variables learn with Adam at
 * {@code lrRound}; learned weight steps ({@code lrWeightStep}) and LSQ activation steps ({@code
 * lrAct}) with a cosine decay to 0 (the reference codes' schedule); a method may add leaves of its
 * own per unit (AQuant's rounding borders) with their own Adam and learning rate.
 *
 * <p>At block granularity the inputs of block k + 1 are computed from block k's (the blocks compose to
 * the network, so they equal what the whole prefix would give), which makes capturing them linear in
 * the number of blocks; single layers do not compose (residual branches), so each layer's inputs come
 * from a forward pass of the network up to it.
 *
 * <p>The network must already be calibrated (weights with integer codes, activation quantizers with
 * parameters) so that every learned quantity starts from a range-search initialisation.
 */
public final class Reconstruction {

    /** What is reconstructed at once. */
    public enum Granularity {
        /** Each conv/linear layer, its output before the activation (AdaRound). */
        LAYER,
        /** Each {@link Segment}: stem, residual block, head (BRECQ). */
        BLOCK
    }

    /**
     * One reconstruction pass.
     *
     * @param granularity layer or block
     * @param iterations iterations per unit
     * @param batch images per iteration (sampled without replacement from the calibration set)
     * @param lambda weight of the rounding regularizer (0 with {@code lrRound} 0: no rounding learned)
     * @param beta the regularizer's annealing
     * @param p norm of the reconstruction error
     * @param lrRound Adam learning rate of the soft rounding; 0 keeps the weights as they are
     * @param lrWeightStep Adam learning rate of the per-channel weight steps; 0 keeps them fixed
     * @param lrAct Adam learning rate of the activation steps (cosine-decayed); 0 keeps them fixed
     * @param activations whether activations are quantized during this pass
     * @param input which inputs the unit sees
     * @param keep QDrop: probability that an element is quantized, inside every activation quantizer
     *     of the unit and, with {@link Input#MIXED}, in the choice of the unit's input (1 = always)
     */
    public record Pass(Granularity granularity, int iterations, int batch, double lambda, BetaSchedule beta,
            double p, double lrRound, double lrWeightStep, double lrAct, boolean activations, Input input,
            double keep) {}

    /** The inputs a unit is reconstructed on. */
    public enum Input {
        /** The quantized network's (earlier units quantized): BRECQ's asymmetric reconstruction. */
        QUANTIZED,
        /** The FP teacher's (BRECQ's activation pass). */
        FP,
        /** Per element the quantized input with probability {@code keep}, else the FP one (QDrop). */
        MIXED
    }

    /** A method-specific loss term (PD-Quant's prediction difference). */
    @FunctionalInterface
    public interface ExtraLoss {
        /**
         * The term for unit {@code unit} ({@code segment}, soft weights installed) on the calibration
         * images {@code indices}, whose quantized-network inputs are {@code quantizedInput}; built inside
         * the recording scope. Return null to add nothing.
         */
        NDArray loss(int unit, Segment segment, NDArray quantizedInput, int[] indices);
    }

    /** Replaces a unit's FP inputs before its targets are computed (PD-Quant's distribution correction). */
    @FunctionalInterface
    public interface FpInputHook {
        /** The corrected FP inputs of unit {@code unit} (same shape), on {@code manager}. */
        NDArray adjust(int unit, Segment teacherSegment, NDArray fpInputs, NDManager manager);
    }

    /** Method-specific leaves of one unit and the fixed Adam learning rate they learn with. */
    public record Leaves(List<NDArray> arrays, double lr) {

        public Leaves {
            arrays = List.copyOf(arrays);
        }
    }

    /** Supplies a unit's method-specific leaves (AQuant's rounding borders). */
    @FunctionalInterface
    public interface ExtraLeaves {
        /**
         * The leaves of unit {@code unit} ({@code segment}), created on {@code manager} (closed after
         * the unit) before its first iteration, once its activation quantizers are set up for the pass;
         * whatever they parameterize must be fixed by the unit's {@link ActQuantizer#freezeStep} or
         * {@link SoftRounding#finish}. Return null to add nothing.
         */
        Leaves leaves(int unit, Segment segment, NDManager manager);
    }

    private final String method;
    private final QuantizationContext ctx;
    private final SplittableRandom random;

    public Reconstruction(String method, QuantizationContext ctx) {
        this.method = method;
        this.ctx = ctx;
        this.random = new SplittableRandom(ctx.seed());
    }

    /** The units of {@code net} at {@code granularity}, in forward order. */
    public static List<Segment> units(Net net, Granularity granularity) {
        if (granularity == Granularity.BLOCK) {
            return net.segments();
        }
        List<Segment> out = new ArrayList<>();
        for (QLayer l : net.layers()) {
            out.add(new Segment(l.name(), List.of(l), l::apply));
        }
        return out;
    }

    /** Runs one pass over every unit with no extra term. */
    public void run(Pass pass) {
        run(pass, null, null);
    }

    /** Runs one pass over every unit; {@code extra} and {@code hook} may be null. */
    public void run(Pass pass, ExtraLoss extra, FpInputHook hook) {
        run(pass, extra, hook, null);
    }

    /** Runs one pass over every unit; {@code extra}, {@code hook} and {@code leaves} may be null. */
    public void run(Pass pass, ExtraLoss extra, FpInputHook hook, ExtraLeaves leaves) {
        List<Segment> student = units(ctx.network(), pass.granularity());
        List<Segment> teacher = units(ctx.teacher(), pass.granularity());
        if (student.size() != teacher.size()) {
            throw new IllegalStateException("teacher and student differ in structure");
        }
        setActivations(pass.activations() ? ActQuantizer.Mode.QUANTIZE : ActQuantizer.Mode.OFF);
        boolean chained = pass.granularity() == Granularity.BLOCK;
        NDManager carried = null;
        NDArray[] next = null;
        try {
            for (int u = 0; u < student.size(); u++) {
                try (NDManager cache = ctx.manager().newSubManager()) {
                    Segment unit = student.get(u);
                    NDArray xq = next != null ? next[0]
                            : InputCache.inputs(ctx.network(), unit.first(), ctx.calibration(), ctx.batch(), cache);
                    NDArray fp = next != null ? next[1] : InputCache.inputs(ctx.teacher(), teacher.get(u).first(),
                            ctx.calibration(), ctx.batch(), cache);
                    NDArray xfp = hook != null ? hook.adjust(u, teacher.get(u), fp, cache) : fp;
                    NDArray target = InputCache.outputs(teacher.get(u), xfp, ctx.batch(), cache);
                    optimize(pass, u, unit, xq, xfp, target, extra, leaves, cache);
                    if (chained && u + 1 < student.size()) {
                        // blocks compose: the next block's inputs are this (finished) block's outputs
                        NDManager following = ctx.manager().newSubManager();
                        next = new NDArray[] {InputCache.outputs(unit, xq, ctx.batch(), following),
                            InputCache.outputs(teacher.get(u), fp, ctx.batch(), following)};
                        if (carried != null) {
                            carried.close();
                        }
                        carried = following;
                    }
                }
            }
        } finally {
            if (carried != null) {
                carried.close();
            }
            setActivations(ActQuantizer.Mode.QUANTIZE);
        }
    }

    private void optimize(Pass pass, int index, Segment unit, NDArray xq, NDArray xfp, NDArray target,
            ExtraLoss extra, ExtraLeaves leaves, NDManager cache) {
        boolean rounding = pass.lrRound() > 0;
        List<SoftRounding> soft = new ArrayList<>();
        List<NDArray> steps = new ArrayList<>();
        List<ActQuantizer> acts = new ArrayList<>();
        for (QLayer l : unit.layers()) {
            if (rounding && l.quantized() != null) {
                SoftRounding s = new SoftRounding(l, pass.lrWeightStep() > 0, cache);
                soft.add(s);
                steps.addAll(s.stepLeaves());
            }
            ActQuantizer q = l.inputQuantizer();
            if (q != null && pass.activations()) {
                q.setDrop(pass.keep(), random);
                if (pass.lrAct() > 0) {
                    acts.add(q);
                }
            }
        }
        List<NDArray> actSteps = new ArrayList<>();
        acts.forEach(q -> actSteps.add(q.learnStep(cache)));
        List<NDArray> vs = new ArrayList<>();
        soft.forEach(s -> vs.addAll(s.roundingLeaves()));
        Leaves own = leaves == null ? null : leaves.leaves(index, unit, cache);
        List<NDArray> others = own == null ? List.of() : own.arrays();
        if (vs.isEmpty() && steps.isEmpty() && actSteps.isEmpty() && others.isEmpty()) {
            finish(unit, soft);
            return; // nothing of this unit is learned in this pass (the stem in an activation pass)
        }
        String where = method + " " + unit.name();
        int n = (int) xq.getShape().get(0);
        int batch = Math.min(pass.batch(), n);
        int report = Math.max(1, pass.iterations() / 4);
        try (Adam roundOpt = new Adam(vs); Adam stepOpt = new Adam(steps); Adam actOpt = new Adam(actSteps);
                Adam ownOpt = new Adam(others)) {
            for (int it = 0; it < pass.iterations(); it++) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    int[] idx = sample(n, batch);
                    NDArray picks = cache.create(idx);
                    NDArray quantizedInput = xq.get(picks);
                    NDArray x = switch (pass.input()) {
                        case QUANTIZED -> quantizedInput;
                        case FP -> xfp.get(picks);
                        case MIXED -> mix(quantizedInput, xfp.get(picks), pass.keep());
                    };
                    NDArray y = target.get(picks);
                    double rec;
                    double round = 0;
                    double total;
                    try (Autograd g = Autograd.record()) {
                        soft.forEach(SoftRounding::install);
                        NDArray out = unit.apply(x, false);
                        NDArray loss = lpLoss(out, y, pass.p());
                        rec = loss.getFloat();
                        if (rounding && pass.lambda() > 0 && pass.beta().regularizes(it)) {
                            NDArray reg = null;
                            for (SoftRounding s : soft) {
                                NDArray r = s.regularizer(pass.beta().beta(it));
                                reg = reg == null ? r : reg.add(r);
                            }
                            if (reg != null) {
                                reg = Scalars.mul(reg, pass.lambda());
                                round = reg.getFloat();
                                loss = loss.add(reg);
                            }
                        }
                        NDArray term = extra == null ? null : extra.loss(index, unit, quantizedInput, idx);
                        if (term != null) {
                            loss = loss.add(term);
                        }
                        total = loss.getFloat();
                        Divergence.check(where, it, total);
                        g.backward(loss);
                    }
                    roundOpt.step(pass.lrRound());
                    stepOpt.step(cosine(pass.lrWeightStep(), it, pass.iterations()));
                    actOpt.step(cosine(pass.lrAct(), it, pass.iterations()));
                    if (own != null) {
                        ownOpt.step(own.lr());
                    }
                    if ((it + 1) % report == 0 || it == 0) {
                        ctx.progress().message(String.format("%s iter %d/%d rec %.5g round %.5g loss %.5g",
                                where, it + 1, pass.iterations(), rec, round, total));
                    }
                }
            }
        }
        finish(unit, soft);
    }

    /** Hard rounding installed, activation steps fixed, dropping off. */
    private void finish(Segment unit, List<SoftRounding> soft) {
        soft.forEach(s -> s.finish(ctx.manager()));
        for (QLayer l : unit.layers()) {
            if (l.inputQuantizer() != null) {
                l.inputQuantizer().freezeStep();
            }
        }
    }

    /** QDrop's input mixing: each element from the quantized path with probability {@code keep}. */
    private NDArray mix(NDArray quantized, NDArray fp, double keep) {
        NDArray mask = RandomMask.bernoulli(quantized.getManager(), quantized.getShape(), keep, random);
        return quantized.sub(fp).mul(mask).add(fp);
    }

    /** The first {@code k} of a random permutation of 0..n-1. */
    private int[] sample(int n, int k) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, k);
    }

    /** BRECQ's lp_loss: |out - target|^p summed over dimension 1, averaged over the others. */
    public static NDArray lpLoss(NDArray out, NDArray target, double p) {
        NDArray d = out.sub(target).abs();
        NDArray powered = p == 2 ? d.square() : Scalars.pow(d, p);
        return powered.sum(new int[] {1}).mean();
    }

    /** Cosine annealing from {@code lr} to 0 over {@code total} steps (PyTorch's CosineAnnealingLR). */
    static double cosine(double lr, int step, int total) {
        return lr * (1 + Math.cos(Math.PI * step / total)) / 2;
    }

    private void setActivations(ActQuantizer.Mode mode) {
        for (QLayer l : ctx.network().layers()) {
            if (l.inputQuantizer() != null) {
                l.inputQuantizer().setMode(mode);
            }
        }
    }
}

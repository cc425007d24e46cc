package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.ptq.Calibration;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * LQ-Nets (Zhang, Yang, Ye, Hua, "LQ-Nets: Learned Quantization for Highly Accurate and Compact Deep
 * Neural Networks", ECCV 2018): learned non-uniform quantizers, each value basis^T binary code, for
 * weights (a basis per output channel, codes +-1; {@link LqWeights}) and activations (a basis per
 * layer input, codes 0/1; {@link LqActivations}), the bases fitted by one least-squares
 * quantization-error-minimization step per training step ({@link LqBasis}) while the network trains
 * through straight-through estimators. Trained, as the other QAT methods, on the calibration set by
 * distillation from the FP teacher ({@link KdTraining}).
 *
 * <p>Layers at the trial's bit-widths get the learned quantizers; layers the protocol keeps at 8 bits
 * (first and last) keep LSQ's uniform ones, as {@code qat-kd} (the reference code keeps them in full
 * precision). Bases start from the calibrated uniform grids and are fitted to the weights (10 QEM
 * steps) and to the activations of the calibration set (5 QEM steps per batch) before training.
 * The stored model holds each weight's code (its level index, whose bits are the binary code) with
 * its channel's level table, and each activation basis.
 */
public final class LqNets implements Quantizer {

    @Override
    public String name() {
        return "lqnets";
    }

    @Override
    public List<ParamSpec> params() {
        return KdTraining.params(20, 1e-4, QatKd.INIT);
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        QatKd.calibrate(ctx, p);
        List<LqWeights> learned = new ArrayList<>();
        List<LsqWeights> uniform = new ArrayList<>();
        List<LqActivations> activations = new ArrayList<>();
        List<NDArray> parameters = new ArrayList<>();
        List<NDArray> steps = new ArrayList<>();
        List<QLayer> layers = ctx.network().layers();
        for (int i = 0; i < layers.size(); i++) {
            QLayer l = layers.get(i);
            int wbits = ctx.bits(i).weight();
            if (wbits == ctx.wbits()) {
                LqWeights w = new LqWeights(l, wbits);
                learned.add(w);
                parameters.addAll(w.parameters());
            } else {
                LsqWeights w = new LsqWeights(l, ctx.manager());
                uniform.add(w);
                parameters.addAll(w.parameters());
                steps.add(w.step());
            }
            ActQuantizer act = l.inputQuantizer();
            if (act == null) {
                continue;
            }
            if (act.bits() == ctx.abits()) {
                QParams q = act.params();
                LqActivations a = new LqActivations(LqBasis.uniform(act.bits(), q.zeroPoint() > 0, q.scale()),
                        LqActivations.Mode.FIT);
                activations.add(a);
                l.setInputQuantizer(ActQuantizer.of(a));
            } else {
                steps.add(act.learnStep(ctx.manager()));
            }
        }
        Runnable install = () -> {
            learned.forEach(LqWeights::install);
            uniform.forEach(LsqWeights::install);
        };
        install.run();
        ctx.progress().message(name() + ": fitting " + activations.size() + " activation bases to the calibration set");
        Calibration.pass(ctx.network(), ctx.calibration(), ctx.batch(), ctx.manager());
        activations.forEach(a -> a.setMode(LqActivations.Mode.LEARN));
        KdTraining.run(name(), ctx, KdTraining.Student.of(parameters, steps, install), KdTraining.Settings.of(p),
                p.getBool("joint"));
        learned.forEach(w -> w.finish(ctx.manager()));
        uniform.forEach(w -> w.finish(ctx.manager()));
        activations.forEach(a -> a.setMode(LqActivations.Mode.FIXED));
        QatKd.freezeSteps(ctx);
    }
}

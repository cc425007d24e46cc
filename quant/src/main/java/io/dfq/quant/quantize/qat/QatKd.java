package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.LpObserver;
import io.dfq.quant.qcore.MinMaxObserver;
import io.dfq.quant.qcore.Observer;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.ptq.Calibration;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * QAT-KD, the fine-tuning of the QAT zero-shot line (GDFQ: Xu et al., ECCV 2020; Qimera: Choi et al.,
 * NeurIPS 2021; IntraQ: Zhong et al., CVPR 2022): LSQ fake quantization (Esser et al., ICLR 2020) of
 * weights (per channel) and activations (per tensor) with learned steps, the network trained on the
 * synthetic calibration set by distillation from the FP teacher: T^2 KL at temperature T = 20 plus
 * an optional cross entropy, BN folded (the student's BN in eval mode), SGD with Nesterov momentum
 * 0.9 and weight decay 1e-4, cosine learning-rate decay. Steps start from a range search ({@code
 * init}: min-max as the all-layers line, or the Lp search). Per-epoch losses are recorded as
 * metrics; a diverging loss fails the trial with its epoch. The learning rate defaults to GDFQ's
 * lr_S = 1e-4 (its cifar100_resnet20.hocon): on ResNet-20 with 1024 IntraQ images at W3A3 (first 2000
 * test images, 3 epochs from the mse start of 91.45%) lr 1e-4 reached 92.35% and 1e-3 fell to 86.55%.
 *
 * <p>With {@code gdfq} or {@code qimera} data ({@code joint}, default on) the student learns, as in
 * those papers, from fresh batches of their generator, resumed from the synthesis stage, which keeps
 * training on its own objective against the teacher after every student step; with any other data
 * the calibration set is fixed, each batch cropped and flipped as in IntraQ's fine-tuning ({@link
 * KdTraining}).
 */
public final class QatKd implements Quantizer {

    /** The initial range search, shared with the other QAT methods ({@link #calibrate}). */
    static final ParamSpec INIT = init("minmax", "initial range search");

    @Override
    public String name() {
        return "qat-kd";
    }

    @Override
    public List<ParamSpec> params() {
        return KdTraining.params(20, 1e-4, INIT);
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        calibrate(ctx, p);
        List<LsqWeights> weights = new ArrayList<>();
        List<NDArray> parameters = new ArrayList<>();
        List<NDArray> steps = new ArrayList<>();
        for (QLayer l : ctx.network().layers()) {
            LsqWeights w = new LsqWeights(l, ctx.manager());
            weights.add(w);
            parameters.addAll(w.parameters());
            steps.add(w.step());
            if (l.inputQuantizer() != null) {
                steps.add(l.inputQuantizer().learnStep(ctx.manager()));
            }
        }
        KdTraining.run(name(), ctx, KdTraining.Student.of(parameters, steps, () -> weights.forEach(LsqWeights::install)),
                KdTraining.Settings.of(p), p.getBool("joint"));
        weights.forEach(w -> w.finish(ctx.manager()));
        freezeSteps(ctx);
    }

    /** The {@code init} parameter (min-max or the Lp search) with a method's default. */
    static ParamSpec init(String def, String doc) {
        return ParamSpec.choice("init", def, List.of("minmax", "mse"), doc);
    }

    /** Calibrates every layer's uniform quantizers with the range search {@link #INIT} chose. */
    static void calibrate(QuantizationContext ctx, Params p) {
        Calibration.run(ctx, mse(p) ? new LpObserver(2.4) : new MinMaxObserver(), activationObserver(p), false);
    }

    /** The activation range search {@code init} chose: the Lp search with p = 2 (MSE), or min-max. */
    static Observer activationObserver(Params p) {
        return mse(p) ? new LpObserver(2.0) : new MinMaxObserver();
    }

    private static boolean mse(Params p) {
        return p.getString("init").equals("mse");
    }

    /** Fixes the learned steps of the uniform input quantizers. */
    static void freezeSteps(QuantizationContext ctx) {
        for (QLayer l : ctx.network().layers()) {
            ActQuantizer q = l.inputQuantizer();
            if (q != null && q.codebook() == null) {
                q.freezeStep();
            }
        }
    }
}

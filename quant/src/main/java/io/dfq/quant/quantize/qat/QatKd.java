package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.LpObserver;
import io.dfq.quant.qcore.MinMaxObserver;
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
 * metrics; a diverging loss fails the trial with its epoch.
 *
 * <p>With {@code gdfq} or {@code qimera} data ({@code joint}, default on) the student learns, as in
 * those papers, from fresh batches of their generator, resumed from the synthesis stage, which keeps
 * training on its own objective against the teacher after every student step; with any other data
 * the calibration set is fixed.
 */
public final class QatKd implements Quantizer {

    @Override
    public String name() {
        return "qat-kd";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.integer("epochs", 20, 1, 10_000, "passes over the calibration set"),
                ParamSpec.integer("batch", 64, 1, 4096, "images per step"),
                ParamSpec.real("lr", 1e-3, 0, 10, "initial SGD learning rate (cosine decay)"),
                ParamSpec.real("weight_decay", 1e-4, 0, 1, "L2 weight decay on weights and biases"),
                ParamSpec.real("T", 20, 0.01, 1000, "distillation temperature"),
                ParamSpec.real("w_kd", 1, 0, 1000, "weight of the distillation loss"),
                ParamSpec.real("w_ce", 0, 0, 1000, "weight of the cross entropy on the labels"),
                ParamSpec.choice("init", "minmax", List.of("minmax", "mse"), "initial range search"),
                ParamSpec.bool("joint", true, "with gdfq or qimera data: keep training their generator alongside"));
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        if (p.getString("init").equals("mse")) {
            Calibration.run(ctx, new LpObserver(2.4), new LpObserver(2.0), false);
        } else {
            Calibration.run(ctx, new MinMaxObserver(), new MinMaxObserver(), false);
        }
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
        KdTraining.run(name(), ctx, new KdTraining.Student() {
            @Override
            public List<NDArray> parameters() {
                return parameters;
            }

            @Override
            public List<NDArray> quantizerParameters() {
                return steps;
            }

            @Override
            public void install() {
                weights.forEach(LsqWeights::install);
            }
        }, new KdTraining.Settings(p.getInt("epochs"), p.getInt("batch"), p.getDouble("lr"),
                p.getDouble("weight_decay"), p.getDouble("T"), p.getDouble("w_kd"), p.getDouble("w_ce")),
                p.getBool("joint"));
        weights.forEach(w -> w.finish(ctx.manager()));
        for (QLayer l : ctx.network().layers()) {
            ActQuantizer q = l.inputQuantizer();
            if (q != null) {
                q.freezeStep();
            }
        }
    }
}

package io.dfq.quant.quantize.ptq;

import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.recon.Reconstruction;
import io.dfq.quant.quantize.recon.Reconstruction.Granularity;
import io.dfq.quant.quantize.recon.Reconstruction.Input;
import io.dfq.quant.quantize.recon.Rounding;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;

/**
 * Genie-M (Jeon et al., "Genie: Show Me the Data for Quantization", CVPR 2023): block-wise
 * reconstruction that learns AdaRound's soft bits together with the per-channel weight steps (floor(W
 * / s) fixed at the initial step, s entering through the final multiplication, as the reference code)
 * and LSQ activation steps, with QDrop (keep 0.5 inside the block and in the block's input); 20k
 * iterations per block, batch 32, Adam lrs: soft bits 1e-3, weight steps 1e-4, activation steps
 * 4e-5, the steps cosine-decayed; rounding-loss weight 1 (the reference code's default).
 */
public final class GenieM implements Quantizer {

    @Override
    public String name() {
        return "genie-m";
    }

    @Override
    public List<ParamSpec> params() {
        List<ParamSpec> out = Rounding.params(20_000, 1e-3);
        out.replaceAll(s -> s.name().equals("lambda")
                ? ParamSpec.real("lambda", 1.0, 0, 100, "weight of the rounding regularizer")
                : s);
        out.add(ParamSpec.real("weight_step_lr", 1e-4, 0, 1, "Adam learning rate of the weight steps (cosine decay)"));
        out.addAll(Rounding.dropParams());
        return out;
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        Rounding.initialize(ctx, p);
        new Reconstruction(name(), ctx).run(Rounding.joint(p, Granularity.BLOCK, p.getDouble("weight_step_lr"),
                p.getDouble("act_lr"), Input.MIXED, p.getDouble("keep")));
    }
}

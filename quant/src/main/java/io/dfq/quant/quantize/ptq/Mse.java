package io.dfq.quant.quantize.ptq;

import io.dfq.quant.qcore.LpObserver;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;

/**
 * Lp-norm clipping search (Nahshan et al., "Loss aware post-training quantization", 2021; the
 * weight-range initialisation of BRECQ, Li et al., ICLR 2021): each weight channel's range
 * minimizes ||W - Q(W)||_p with p = 2.4, each activation range the MSE (p = 2) of its calibration
 * activations.
 */
public final class Mse implements Quantizer {

    @Override
    public String name() {
        return "mse";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.real("p", 2.4, 0.5, 10, "norm of the weight clipping search"),
                ParamSpec.real("act_p", 2.0, 0.5, 10, "norm of the activation clipping search"),
                ParamSpec.bool("symmetric", false, "symmetric (zero point 0) instead of affine ranges"));
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        Calibration.run(ctx, new LpObserver(p.getDouble("p")), new LpObserver(p.getDouble("act_p")),
                p.getBool("symmetric"));
    }
}

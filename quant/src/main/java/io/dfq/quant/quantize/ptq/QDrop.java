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
 * QDrop (Wei et al., "QDrop: Randomly Dropping Quantization for Extremely Low-bit Post-Training
 * Quantization", ICLR 2022): BRECQ's block reconstruction with the rounding and the LSQ activation
 * steps learned together, activations quantized, and quantization randomly dropped: every
 * activation element inside the block keeps its full-precision value with probability 1 - {@code
 * keep} (0.5), and each element of the block's input comes from the quantized network or the FP one
 * with the same odds. Adam lr 1e-3 (rounding) and 4e-5 with cosine decay (steps), 20k iterations.
 */
public final class QDrop implements Quantizer {

    @Override
    public String name() {
        return "qdrop";
    }

    @Override
    public List<ParamSpec> params() {
        List<ParamSpec> out = Rounding.params(20_000, 1e-3);
        out.addAll(Rounding.dropParams());
        return out;
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        Rounding.initialize(ctx, p);
        new Reconstruction(name(), ctx).run(Rounding.joint(p, Granularity.BLOCK, 0, p.getDouble("act_lr"),
                Input.MIXED, p.getDouble("keep")));
    }
}

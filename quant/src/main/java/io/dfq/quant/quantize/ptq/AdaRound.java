package io.dfq.quant.quantize.ptq;

import io.dfq.quant.qcore.LpObserver;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.recon.Reconstruction;
import io.dfq.quant.quantize.recon.Reconstruction.Granularity;
import io.dfq.quant.quantize.recon.Rounding;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;

/**
 * AdaRound (Nagel et al., "Up or Down? Adaptive Rounding for Post-Training Quantization", ICML
 * 2020): layer by layer, in forward order, learns whether each weight rounds up or down by
 * minimizing ||W x - W~ x||^2 on the quantized network's inputs (asymmetric reconstruction) plus
 * lambda * sum(1 - |2 h(V) - 1|^beta), beta 20 -> 2 after a 20% warm-up, 10k iterations, lambda
 * 0.01; activations are not quantized during reconstruction and get their ranges afterwards by the
 * Lp search on the final weights.
 */
public final class AdaRound implements Quantizer {

    @Override
    public String name() {
        return "adaround";
    }

    @Override
    public List<ParamSpec> params() {
        return Rounding.params(10_000, 1e-3);
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        Rounding.initialize(ctx, p);
        new Reconstruction(name(), ctx).run(Rounding.weights(p, Granularity.LAYER));
        Calibration.calibrateActivations(ctx, new LpObserver(p.getDouble("act_p")), false);
    }
}

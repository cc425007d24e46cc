package io.dfq.quant.quantize.ptq;

import io.dfq.quant.qcore.MinMaxObserver;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;

/**
 * Min-max post-training quantization (the calibration baseline of Krishnamoorthi, "Quantizing deep
 * convolutional networks for efficient inference: A whitepaper", 2018): every quantizer covers the
 * full observed range of its weights (per channel) or activations (per tensor).
 */
public final class MinMax implements Quantizer {

    @Override
    public String name() {
        return "minmax";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.bool("symmetric", false, "symmetric (zero point 0) instead of affine ranges"));
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        MinMaxObserver observer = new MinMaxObserver();
        Calibration.run(ctx, observer, observer, Params.of(this, ctx.params()).getBool("symmetric"));
    }
}

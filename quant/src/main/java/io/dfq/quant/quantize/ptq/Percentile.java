package io.dfq.quant.quantize.ptq;

import io.dfq.quant.qcore.MinMaxObserver;
import io.dfq.quant.qcore.PercentileObserver;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;

/**
 * Percentile calibration (McKinstry et al., "Discovering low-precision networks close to
 * full-precision networks for efficient inference", 2019; Wu et al., "Integer quantization for
 * deep learning inference", 2020): activation ranges clipped to the [100 - p, p] percentiles of
 * the calibration activations; weights keep min-max per channel.
 */
public final class Percentile implements Quantizer {

    @Override
    public String name() {
        return "percentile";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.real("percentile", 99.99, 50.01, 100, "upper percentile of activations kept"),
                ParamSpec.bool("symmetric", false, "symmetric (zero point 0) instead of affine ranges"));
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        Calibration.run(ctx, new MinMaxObserver(), new PercentileObserver(p.getDouble("percentile")),
                p.getBool("symmetric"));
    }
}

package io.dfq.quant.generate;

import io.dfq.quant.data.ImageSet;
import io.dfq.quant.spec.ParamSpec;
import java.util.List;
import java.util.Map;

/**
 * Few-shot real calibration data: a class-balanced random sample of the training split. Not
 * data-free: the ceiling data-free generators are measured against.
 */
public final class RealData implements Generator {

    @Override
    public String name() {
        return "real";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of();
    }

    @Override
    public SyntheticSet generate(GenerationContext ctx) {
        ImageSet train = ctx.trainingData().get();
        return new SyntheticSet(train.balancedSubset(ctx.samples(), ctx.seed()), Map.of("uses_real_data", 1.0));
    }
}

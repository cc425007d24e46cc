package io.dfq.quant.generate;

import ai.djl.ndarray.types.Shape;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.nn.Init;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Pure noise: N(0, 1) images in normalized input space. The floor every generator must beat. */
public final class Gaussian implements Generator {

    @Override
    public String name() {
        return "gaussian";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ParamSpec.real("std", 1.0, 1e-3, 100, "standard deviation of the noise"));
    }

    @Override
    public SyntheticSet generate(GenerationContext ctx) {
        double std = Params.of(this, ctx.params()).getDouble("std");
        Shape img = ctx.imageShape();
        float[] data = Init.gaussian(new Random(ctx.seed()), new Shape(ctx.samples()).addAll(img), std);
        return new SyntheticSet(new ImageSet(data, null, ctx.samples(), (int) img.get(0), (int) img.get(1),
                (int) img.get(2)), Map.of());
    }
}

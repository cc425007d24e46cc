package io.dfq.quant.generate;

import io.dfq.quant.spec.Method;
import io.dfq.quant.spec.MethodRegistry;

/**
 * A source of calibration data: synthesizes (or samples) images from the FP32 teacher.
 *
 * <p>One class per paper method, registered in {@code META-INF/services}.
 */
public interface Generator extends Method {

    /** Every generator on the class path, by name. */
    MethodRegistry<Generator> REGISTRY = MethodRegistry.load("generator", Generator.class);

    /**
     * Produces {@code ctx.samples()} images for the teacher in {@code ctx}.
     *
     * @throws Exception on failure; a diverging objective throws with the iteration and loss
     */
    SyntheticSet generate(GenerationContext ctx) throws Exception;
}

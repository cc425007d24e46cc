package io.dfq.quant.generate;

import io.dfq.quant.spec.Method;
import io.dfq.quant.spec.MethodRegistry;
import java.util.List;
import java.util.Optional;

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

    /**
     * The generator that made a set, rebuilt from the state {@link SyntheticSet#generatorState()}
     * kept with it, to keep training during quantization-aware training; empty for methods whose
     * data is not a trained generator's.
     */
    default Optional<LiveGenerator> resume(GenerationContext ctx, List<float[]> state) {
        return Optional.empty();
    }
}

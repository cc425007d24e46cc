package io.dfq.quant.quantize;

import io.dfq.quant.spec.Method;
import io.dfq.quant.spec.MethodRegistry;

/**
 * Turns a BN-folded FP32 network into a fake-quantized one: chooses the quantization parameters
 * of every weight and activation quantizer (and, for reconstruction methods, the weights' rounding).
 *
 * <p>One class per paper method, registered in {@code META-INF/services}.
 */
public interface Quantizer extends Method {

    /** Every quantizer on the class path, by name. */
    MethodRegistry<Quantizer> REGISTRY = MethodRegistry.load("quantizer", Quantizer.class);

    /**
     * The fewest bits this quantizer gives weights and activations: 2 for the uniform quantizers (one
     * bit leaves them a single level on one side of zero), 1 for binarization; checked at recipe
     * validation.
     */
    default int minBits() {
        return 2;
    }

    /** Calibrates {@code ctx.network()} in place on {@code ctx.calibration()}. */
    void quantize(QuantizationContext ctx) throws Exception;
}

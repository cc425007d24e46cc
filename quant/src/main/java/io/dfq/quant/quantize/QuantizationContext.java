package io.dfq.quant.quantize;

/** Everything a quantizer needs (to be completed with the pipeline). */
public interface QuantizationContext {
    /** Weight bits. */
    int wbits();
}

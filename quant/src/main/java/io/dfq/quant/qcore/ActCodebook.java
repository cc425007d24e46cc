package io.dfq.quant.qcore;

import ai.djl.ndarray.NDArray;

/**
 * A quantizer of a layer's input that is not a uniform grid (LQ-Nets' learned levels, DIR-Net's
 * binarization): {@link ActQuantizer} uses it in QUANTIZE mode in place of its uniform parameters.
 * Its forward carries the method's own gradient estimator; {@link #state()} is everything that the
 * forward of the trained quantizer depends on, so that a stored model rebuilds it exactly.
 */
public interface ActCodebook {

    /** The quantized {@code x}, on the autograd graph of {@code x} and of the quantizer's parameters. */
    NDArray apply(NDArray x);

    /** Bits per activation. */
    int bits();

    /** The kind written into a stored model, which names how {@link #state()} is read back. */
    String kind();

    /** The numbers that define the trained quantizer, in the order its kind reads them. */
    float[] state();
}

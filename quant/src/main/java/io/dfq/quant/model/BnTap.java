package io.dfq.quant.model;

import ai.djl.ndarray.NDArray;

/** Receives the input of every BatchNorm layer during a forward pass (see {@link Net#tap}). */
@FunctionalInterface
public interface BnTap {

    /** {@code input} is the BN layer's input, on the autograd graph when gradients are recorded. */
    void observe(TapBatchNorm bn, NDArray input);
}

package io.dfq.quant.eval;

import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;

/**
 * Storage size of a network in bytes. A quantized layer stores its weights packed at its installed
 * bit-width (per layer: the protocol's or a mixed-precision allocation), plus per output channel an
 * FP32 scale, an 8-bit zero point and an FP32 bias; an FP32 layer stores 4 bytes per weight and bias.
 * Activation parameters (a few per layer) are ignored.
 */
public final class ModelSize {

    private ModelSize() {}

    /** Size with each layer's installed weight bits. */
    public static long quantized(Net net) {
        long bytes = 0;
        for (QLayer l : net.layers()) {
            bytes += l.weightBits() == 0
                    ? (l.weightCount() + l.outChannels()) * 4
                    : (l.weightCount() * l.weightBits() + 7) / 8 + (long) l.outChannels() * (4 + 1 + 4);
        }
        return bytes;
    }

    /** FP32 size (weights and biases, BN folded). */
    public static long fp32(Net net) {
        return net.parameterCount() * 4;
    }
}

package io.dfq.quant.eval;

import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.qcore.Protocol;
import java.util.List;

/**
 * Storage size of a network in bytes. A quantized layer stores its weights packed at its bit-width,
 * plus per output channel an FP32 scale, an 8-bit zero point and an FP32 bias; an FP32 layer stores
 * 4 bytes per weight and bias. Activation parameters (a few per layer) are ignored.
 */
public final class ModelSize {

    private ModelSize() {}

    /** Size with the protocol's per-layer weight bits. */
    public static long quantized(Net net, Protocol protocol, int wbits, int abits) {
        List<QLayer> layers = net.layers();
        long bytes = 0;
        for (int i = 0; i < layers.size(); i++) {
            QLayer l = layers.get(i);
            int bits = protocol.bits(i, layers.size(), wbits, abits).weight();
            bytes += (l.weightCount() * bits + 7) / 8 + (long) l.outChannels() * (4 + 1 + 4);
        }
        return bytes;
    }

    /** FP32 size (weights and biases, BN folded). */
    public static long fp32(Net net) {
        return net.parameterCount() * 4;
    }
}

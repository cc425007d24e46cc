package io.dfq.quant.quantize.ptq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.Observer;
import io.dfq.quant.qcore.Protocol;
import io.dfq.quant.qcore.WeightQuantizer;
import io.dfq.quant.quantize.QuantizationContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Observer-based post-training calibration, shared by the range-only quantizers: weights per output
 * channel, then per-tensor input activations in two passes (range, histogram) over the calibration
 * set with the weights already quantized; bit-widths per layer from the protocol.
 */
public final class Calibration {

    private Calibration() {}

    /** Quantizes {@code ctx.network()} with the given observers. */
    public static void run(QuantizationContext ctx, Observer weights, Observer activations, boolean symmetric) {
        quantizeWeights(ctx, weights, symmetric);
        int acts = calibrateActivations(ctx, activations, symmetric);
        ctx.progress().message("calibrated " + ctx.network().layers().size() + " layers, " + acts
                + " activation quantizers");
    }

    /** Quantizes every layer's weights per output channel, bit-widths from the protocol. */
    public static void quantizeWeights(QuantizationContext ctx, Observer observer, boolean symmetric) {
        List<QLayer> layers = ctx.network().layers();
        for (int i = 0; i < layers.size(); i++) {
            Protocol.LayerBits bits = ctx.bits(i);
            quantizeWeights(layers.get(i), bits.weight(), symmetric, observer, ctx.manager());
        }
    }

    /**
     * Installs fresh input-activation quantizers (bits from the protocol) and calibrates them in two
     * passes over the calibration set, with the weights as they are now; returns how many.
     */
    public static int calibrateActivations(QuantizationContext ctx, Observer observer, boolean symmetric) {
        return calibrateActivations(ctx, observer, symmetric, ctx.network());
    }

    /**
     * As {@link #calibrateActivations(QuantizationContext, Observer, boolean)}, but with the statistics
     * of the raw inputs of {@code source}'s layers of the same index: when {@code source} is not {@code
     * ctx.network()} (the FP teacher, for ranges from the FP model's own activations), the quantizers
     * observe through probes on its layers while it runs, and {@code ctx.network()} is not run.
     */
    public static int calibrateActivations(QuantizationContext ctx, Observer observer, boolean symmetric,
            Net source) {
        Net net = ctx.network();
        List<QLayer> layers = net.layers();
        List<QLayer> observed = source.layers();
        if (observed.size() != layers.size()) {
            throw new IllegalArgumentException("the source network differs in structure");
        }
        List<ActQuantizer> acts = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Protocol.LayerBits bits = ctx.bits(i);
            ActQuantizer q = bits.activation() > 0 ? new ActQuantizer(bits.activation(), symmetric) : null;
            layers.get(i).setInputQuantizer(q);
            if (q != null) {
                acts.add(q);
                if (source != net) {
                    observed.get(i).setProbe(q::apply);
                }
            }
        }
        try {
            pass(source, ctx.calibration(), ctx.batch(), ctx.manager());
            acts.forEach(q -> q.setMode(ActQuantizer.Mode.HISTOGRAM));
            pass(source, ctx.calibration(), ctx.batch(), ctx.manager());
        } finally {
            if (source != net) {
                observed.forEach(l -> l.setProbe(null));
            }
        }
        for (ActQuantizer q : acts) {
            q.calibrate(observer);
            q.setMode(ActQuantizer.Mode.QUANTIZE);
        }
        return acts.size();
    }

    /** Replaces the layer's forward weight by its per-channel fake-quantized copy. */
    public static WeightQuantizer.Quantized quantizeWeights(QLayer layer, int bits, boolean symmetric,
            Observer observer, NDManager manager) {
        NDArray w = layer.weight();
        WeightQuantizer.Quantized q = WeightQuantizer.perChannel(w.toFloatArray(), layer.outChannels(), bits,
                symmetric, observer);
        layer.setQuantized(q, bits, manager);
        return q;
    }

    /** One forward pass over the calibration set, batch by batch, without autograd. */
    public static void pass(Net net, ImageSet data, int batch, NDManager manager) {
        for (int from = 0; from < data.count(); from += batch) {
            int to = Math.min(data.count(), from + batch);
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = data.batch(scope, from, to);
                Autograd.noGrad(() -> net.logits(x, false));
            }
        }
    }
}

package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.qcore.WeightQuantizer;
import java.util.Arrays;
import java.util.List;

/**
 * LQ-Nets' weight quantizer of one layer for training: a {@link LqBasis} of +-1 codes per output
 * channel, started from the channel's calibrated uniform step and fitted to the (BN-folded) weights
 * by {@link #FIT_STEPS} QEM steps. Each training step encodes the weights with the current bases,
 * makes one QEM step per channel on the weights and their codes, and passes gradients straight
 * through to the weights (no clipping, as the reference code).
 */
final class LqWeights {

    /** QEM steps that fit the bases before training. */
    static final int FIT_STEPS = 10;

    private final QLayer layer;
    private final int bits;
    private final LqBasis[] bases;

    /** Starts training {@code layer}'s weights at {@code bits} bits, from its calibrated quantizer. */
    LqWeights(QLayer layer, int bits) {
        this.layer = layer;
        this.bits = bits;
        QParams[] calibrated = layer.calibrated().channels();
        float[] w = layer.weight().toFloatArray();
        int per = w.length / calibrated.length;
        this.bases = new LqBasis[calibrated.length];
        for (int c = 0; c < bases.length; c++) {
            // the symmetric grid as wide as the calibrated one: 2^K - 1 steps over its range
            float[] range = calibrated[c].representableRange();
            bases[c] = LqBasis.uniform(bits, true, (range[1] - range[0]) / ((1 << bits) - 1));
            float[] channel = Arrays.copyOfRange(w, c * per, (c + 1) * per);
            for (int i = 0; i < FIT_STEPS; i++) {
                bases[c].update(channel);
            }
        }
        layer.weight().setRequiresGradient(true);
        layer.bias().setRequiresGradient(true);
    }

    /**
     * Makes the layer's forward use the weights quantized with the current bases, gradients passing
     * straight through to the weights, then takes one QEM step per channel (once per iteration).
     */
    void install() {
        NDArray w = layer.weight();
        float[] values = w.toFloatArray();
        int per = values.length / bases.length;
        float[] quantized = new float[values.length];
        for (int c = 0; c < bases.length; c++) {
            float[] channel = Arrays.copyOfRange(values, c * per, (c + 1) * per);
            System.arraycopy(bases[c].quantizeAndUpdate(channel), 0, quantized, c * per, per);
        }
        NDArray q = w.getManager().create(quantized, w.getShape());
        layer.setQuantizedWeight(w.add(q.sub(w).stopGradient()), bits);
    }

    /** The layer's weight and bias, trained with weight decay. */
    List<NDArray> parameters() {
        return List.of(layer.weight(), layer.bias());
    }

    /**
     * Fixes the codes (level indices, whose bits are the binary codes) with the final bases and
     * installs them with each channel's level table.
     */
    WeightQuantizer.Quantized finish(NDManager manager) {
        float[] values = layer.weight().toFloatArray();
        int per = values.length / bases.length;
        int[] codes = new int[values.length];
        QParams[] range = new QParams[bases.length];
        float[][] levels = new float[bases.length][];
        for (int c = 0; c < bases.length; c++) {
            System.arraycopy(bases[c].encode(Arrays.copyOfRange(values, c * per, (c + 1) * per)), 0, codes, c * per,
                    per);
            range[c] = new QParams(1f, 0, 0, (1 << bits) - 1);
            levels[c] = bases[c].levels();
        }
        layer.weight().setRequiresGradient(false);
        layer.bias().setRequiresGradient(false);
        WeightQuantizer.Quantized q = new WeightQuantizer.Quantized(codes, range, levels);
        layer.setQuantized(q, bits, manager);
        return q;
    }
}

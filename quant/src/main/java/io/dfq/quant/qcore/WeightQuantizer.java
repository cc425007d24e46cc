package io.dfq.quant.qcore;

/**
 * Per-output-channel weight quantization on Java arrays: one {@link QParams} per channel, chosen
 * by an {@link Observer} over that channel's exact values.
 */
public final class WeightQuantizer {

    private WeightQuantizer() {}

    /** Integer codes and per-channel parameters of a weight tensor, channel-major. */
    public record Quantized(int[] codes, QParams[] channels) {

        /** The per-channel steps. */
        public float[] scales() {
            float[] out = new float[channels.length];
            for (int c = 0; c < out.length; c++) {
                out[c] = channels[c].scale();
            }
            return out;
        }

        /** The per-channel zero points. */
        public float[] zeroPoints() {
            float[] out = new float[channels.length];
            for (int c = 0; c < out.length; c++) {
                out[c] = channels[c].zeroPoint();
            }
            return out;
        }

        /** The dequantized (fake-quantized) weights. */
        public float[] dequantize() {
            float[] out = new float[codes.length];
            int per = codes.length / channels.length;
            for (int c = 0; c < channels.length; c++) {
                for (int i = c * per; i < (c + 1) * per; i++) {
                    out[i] = channels[c].dequantize(codes[i]);
                }
            }
            return out;
        }
    }

    /** Quantizes {@code weights} (out channels first) channel by channel. */
    public static Quantized perChannel(float[] weights, int outChannels, int bits, boolean symmetric,
            Observer observer) {
        if (weights.length % outChannels != 0) {
            throw new IllegalArgumentException(weights.length + " weights not divisible into "
                    + outChannels + " channels");
        }
        int per = weights.length / outChannels;
        int[] codes = new int[weights.length];
        QParams[] params = new QParams[outChannels];
        for (int c = 0; c < outChannels; c++) {
            QParams q = observer.qparams(new Values(weights, c * per, (c + 1) * per), bits, symmetric);
            params[c] = q;
            for (int i = c * per; i < (c + 1) * per; i++) {
                codes[i] = q.quantize(weights[i]);
            }
        }
        return new Quantized(codes, params);
    }
}

package io.dfq.quant.qcore;

/**
 * Per-output-channel weight quantization on Java arrays: one {@link QParams} per channel, chosen
 * by an {@link Observer} over that channel's exact values.
 */
public final class WeightQuantizer {

    private WeightQuantizer() {}

    /**
     * Integer codes and per-channel parameters of a weight tensor, channel-major. Uniform codes stand
     * for (code - zeroPoint) * scale; with {@code levels} (non-uniform quantizers such as LQ-Nets')
     * a code of channel c stands for {@code levels[c][code - qmin]}, the parameters then giving only
     * the code range.
     *
     * @param levels per channel, the value of each code from qmin to qmax; null for uniform codes
     */
    public record Quantized(int[] codes, QParams[] channels, float[][] levels) {

        public Quantized {
            if (levels != null) {
                if (levels.length != channels.length) {
                    throw new IllegalArgumentException(levels.length + " level tables for " + channels.length
                            + " channels");
                }
                for (int c = 0; c < channels.length; c++) {
                    if (levels[c].length != channels[c].qmax() - channels[c].qmin() + 1) {
                        throw new IllegalArgumentException("channel " + c + ": " + levels[c].length
                                + " levels for codes " + channels[c].qmin() + ".." + channels[c].qmax());
                    }
                }
            }
        }

        /** Uniform codes. */
        public Quantized(int[] codes, QParams[] channels) {
            this(codes, channels, null);
        }

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
                    out[i] = levels == null ? channels[c].dequantize(codes[i])
                            : levels[c][codes[i] - channels[c].qmin()];
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

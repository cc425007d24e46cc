package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.dfq.quant.nn.Scalars;

/**
 * DIR-Net's two-stage estimator of sign (IR-Net's EDE; htqin/IR-Net {@code BinaryQuantize} and the
 * trainer's {@code Log_UP} schedule): the forward is sign(x) with sign(0) = +1, the backward k t (1 -
 * tanh^2(t x)), written as g + stopGradient(sign(x) - g) with g = k tanh(t x). Before each epoch e of E,
 * t = 10^(log10 T_min + (log10 T_max - log10 T_min) e / E) and k = max(1 / t, 1): while t &lt; 1 the
 * gradient is about 1 over a wide range (updating capability), afterwards it narrows towards the
 * derivative of sign (accurate gradient). One instance serves every binarized weight and activation
 * of a network, so that one schedule drives them all.
 */
final class Dte {

    private final double logMin;
    private final double logMax;
    private double t;
    private double k;

    /** The estimator at the first epoch of the schedule from {@code tMin} to {@code tMax}. */
    Dte(double tMin, double tMax) {
        this.logMin = Math.log10(tMin);
        this.logMax = Math.log10(tMax);
        startEpoch(0, 1);
    }

    /** Sets t and k for epoch {@code epoch} (0-based) of {@code epochs}. */
    void startEpoch(int epoch, int epochs) {
        t = Math.pow(10, logMin + (logMax - logMin) * epoch / epochs);
        k = Math.max(1 / t, 1);
    }

    double t() {
        return t;
    }

    double k() {
        return k;
    }

    /**
     * sign(x) forward; backward k t' (1 - tanh^2(t' x)) with t' = t * {@code scale} (1 for unit-scale
     * inputs, 1 / std for activations, so that both stages follow the input's distribution).
     */
    NDArray sign(NDArray x, double scale) {
        NDArray g = Scalars.mul(Scalars.mul(x, t * scale).tanh(), k);
        return g.add(sign(x).sub(g).stopGradient());
    }

    /** sign(x) with sign(0) = +1, without gradient. */
    static NDArray sign(NDArray x) {
        return x.gte(0).toType(DataType.FLOAT32, false).mul(2).sub(1);
    }
}

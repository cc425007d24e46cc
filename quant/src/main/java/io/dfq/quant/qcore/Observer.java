package io.dfq.quant.qcore;

/**
 * Chooses the range [lo, hi] a quantizer covers from observed values (torch.ao's observer: range
 * statistics, kept separate from the fake quantizer that applies them).
 */
public interface Observer {

    /** The range to quantize {@code values} into with {@code bits} bits. */
    float[] range(Distribution values, int bits, boolean symmetric);

    /** The quantizer parameters for {@code values}. */
    default QParams qparams(Distribution values, int bits, boolean symmetric) {
        float[] r = range(values, bits, symmetric);
        return QParams.fromRange(r[0], r[1], bits, symmetric);
    }
}

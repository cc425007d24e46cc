package io.dfq.quant.qcore;

/** The full observed range: no clipping. */
public final class MinMaxObserver implements Observer {

    @Override
    public float[] range(Distribution values, int bits, boolean symmetric) {
        return new float[] {values.min(), values.max()};
    }
}

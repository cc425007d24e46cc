package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import io.dfq.quant.qcore.ActCodebook;

/**
 * LQ-Nets' activation quantizer of one layer input ({@link LqBasis}, one basis per tensor), as the
 * reference code: the nearest of the 2^K learned levels in the forward; backward straight through
 * the input clipped to the level range (gradient 1 inside [lowest, highest] level, 0 outside; the
 * reference clips only above because its inputs follow a ReLU). While {@link Mode#FIT} it passes the
 * input through and fits its basis to it; while {@link Mode#LEARN} each forward, having quantized with
 * the current basis, makes one QEM step on the batch's values; {@link Mode#FIXED} only quantizes.
 * Inputs that can be negative (our extension: the reference quantizes only ReLU outputs) use +-1
 * codes.
 */
public final class LqActivations implements ActCodebook {

    /** The kind in stored models: the state is the sign flag (1: +-1 codes) then the basis. */
    public static final String KIND = "lq-nets";

    /** QEM steps per forward while fitting. */
    private static final int FIT_STEPS = 5;

    /** What {@link #apply} does. */
    public enum Mode {
        /** Pass through; fit the basis to the input. */
        FIT,
        /** Quantize, then take one QEM step on the input. */
        LEARN,
        /** Quantize. */
        FIXED
    }

    private final LqBasis basis;
    private Mode mode;

    /** A quantizer with {@code basis}, starting in {@code mode}. */
    public LqActivations(LqBasis basis, Mode mode) {
        this.basis = basis;
        this.mode = mode;
    }

    /** Rebuilds a stored quantizer (fixed) from its {@link #state()}. */
    public static LqActivations restore(float[] state) {
        float[] v = new float[state.length - 1];
        System.arraycopy(state, 1, v, 0, v.length);
        return new LqActivations(LqBasis.of(state[0] == 1f, v), Mode.FIXED);
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }

    public LqBasis basis() {
        return basis;
    }

    @Override
    public NDArray apply(NDArray x) {
        if (mode == Mode.FIT) {
            float[] values = x.toFloatArray();
            for (int i = 0; i < FIT_STEPS; i++) {
                basis.update(values);
            }
            return x;
        }
        float[] levels = basis.sortedLevels();
        boolean learn = mode == Mode.LEARN;
        // per level in ascending order: how many values are at or above it, and their sum
        double[] atLeast = new double[levels.length];
        double[] sumAtLeast = new double[levels.length];
        NDArray values = x.stopGradient();
        if (learn) {
            atLeast[0] = x.size();
            sumAtLeast[0] = values.sum().getFloat();
        }
        NDArray y = x.getManager().full(x.getShape(), levels[0]);
        for (int i = 0; i + 1 < levels.length; i++) {
            float threshold = (levels[i] + levels[i + 1]) / 2;
            NDArray above = values.gt(threshold).toType(x.getDataType(), false);
            y = y.add(above.mul(levels[i + 1] - levels[i]));
            if (learn) {
                atLeast[i + 1] = above.sum().getFloat();
                sumAtLeast[i + 1] = values.mul(above).sum().getFloat();
            }
        }
        NDArray clipped = x.clip(levels[0], levels[levels.length - 1]);
        NDArray out = clipped.add(y.sub(clipped).stopGradient());
        if (learn) {
            double[] count = new double[levels.length];
            double[] sum = new double[levels.length];
            for (int k = 0; k < levels.length; k++) {
                boolean top = k + 1 == levels.length;
                count[k] = atLeast[k] - (top ? 0 : atLeast[k + 1]);
                sum[k] = sumAtLeast[k] - (top ? 0 : sumAtLeast[k + 1]);
            }
            basis.updateSorted(count, sum);
        }
        return out;
    }

    @Override
    public int bits() {
        return basis.bits();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public float[] state() {
        float[] v = basis.basis();
        float[] state = new float[v.length + 1];
        state[0] = basis.signed() ? 1f : 0f;
        System.arraycopy(v, 0, state, 1, v.length);
        return state;
    }
}

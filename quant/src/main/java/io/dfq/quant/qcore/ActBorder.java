package io.dfq.quant.qcore;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.dfq.quant.nn.Scalars;
import java.util.Arrays;
import java.util.List;

/**
 * AQuant's adaptive rounding border of one activation quantizer (Li et al., "Efficient Adaptive
 * Activation Rounding for Post-Training Quantization", 2022): with v = x / s, n = floor(v) and f = v
 * - n, an element rounds up iff f > B_c(n) = clamp(0.5 + kappa_c (n + 0.5) + beta_c, 0, 1), two
 * scalars per input channel c (dimension 1 of an NCHW input, the last dimension of a linear layer's).
 * kappa = beta = 0 is round-to-nearest. An element with f exactly at its border rounds to even, as
 * {@code torch.round} does: the rounding is round(v - (B - 0.5)) kept within [n, n + 1], so a zero
 * border offset reproduces {@link ActQuantizer}'s plain rounding bit for bit.
 *
 * <p>While {@link #learn learned}, kappa and beta are leaves whose gradient comes from the surrogate
 * sigmoid((f - B) / tau) (forward hard, backward surrogate); f is taken as a constant there, so the
 * step keeps LSQ's straight-through gradient. {@link #freeze} fixes the learned values.
 */
public final class ActBorder {

    private final float[] kappa;
    private final float[] beta;
    private NDArray kappaLeaf;
    private NDArray betaLeaf;
    private double tau;

    /** Round-to-nearest for {@code channels} input channels (kappa = beta = 0). */
    public ActBorder(int channels) {
        this(new float[channels], new float[channels]);
    }

    /** The border with the given per-channel slopes and offsets (copied). */
    public ActBorder(float[] kappa, float[] beta) {
        if (kappa.length != beta.length || kappa.length == 0) {
            throw new IllegalArgumentException("need as many slopes as offsets, at least one, got " + kappa.length
                    + " and " + beta.length);
        }
        this.kappa = kappa.clone();
        this.beta = beta.clone();
    }

    public int channels() {
        return kappa.length;
    }

    /** The per-channel slopes (the learned values while learning). */
    public float[] kappa() {
        return kappaLeaf == null ? kappa.clone() : kappaLeaf.toFloatArray();
    }

    /** The per-channel offsets (the learned values while learning). */
    public float[] beta() {
        return betaLeaf == null ? beta.clone() : betaLeaf.toFloatArray();
    }

    /** Whether kappa and beta are leaves being learned. */
    public boolean learning() {
        return kappaLeaf != null;
    }

    /**
     * Makes kappa and beta leaves on {@code manager}, initialised from their current values, learned
     * through the surrogate of temperature {@code tau}; returns them (kappa, beta).
     */
    public List<NDArray> learn(NDManager manager, double tau) {
        if (!(tau > 0)) {
            throw new IllegalArgumentException("tau must be positive, got " + tau);
        }
        this.tau = tau;
        kappaLeaf = manager.create(kappa);
        betaLeaf = manager.create(beta);
        kappaLeaf.setRequiresGradient(true);
        betaLeaf.setRequiresGradient(true);
        return List.of(kappaLeaf, betaLeaf);
    }

    /** Ends learning: the learned values become the fixed border. */
    public void freeze() {
        if (learning()) {
            float[] k = kappaLeaf.toFloatArray();
            float[] b = betaLeaf.toFloatArray();
            System.arraycopy(k, 0, kappa, 0, k.length);
            System.arraycopy(b, 0, beta, 0, b.length);
            kappaLeaf = null;
            betaLeaf = null;
        }
    }

    /** The hard rounding of the scaled values {@code v}: n, or n + 1 where f exceeds the border. */
    NDArray round(NDArray v) {
        NDArray fixed = v.stopGradient();
        NDArray n = fixed.floor();
        return hard(fixed, n, border(n).stopGradient());
    }

    /**
     * The rounding of {@code v} for a learned step: hard forward, gradient 1 to v (LSQ's straight
     * through) and, while learning, the surrogate's gradient to kappa and beta.
     */
    NDArray roundStraightThrough(NDArray v) {
        NDArray fixed = v.stopGradient();
        NDArray n = fixed.floor();
        NDArray border = border(n);
        NDArray out = v.add(hard(fixed, n, border.stopGradient()).sub(v).stopGradient());
        if (!learning()) {
            return out;
        }
        NDArray soft = Activation.sigmoid(Scalars.div(fixed.sub(n).sub(border), tau));
        return out.add(soft.sub(soft.stopGradient()));
    }

    /** round(v - (B - 0.5)) within [n, n + 1]: up iff f > B, to even where f = B. */
    private static NDArray hard(NDArray v, NDArray n, NDArray border) {
        return v.sub(border.sub(0.5)).round().maximum(n).minimum(n.add(1));
    }

    /** B(n) = clamp(0.5 + kappa (n + 0.5) + beta, 0, 1), broadcast over the channels of {@code n}. */
    private NDArray border(NDArray n) {
        Shape shape = channelShape(n.getShape());
        NDManager m = n.getManager();
        NDArray k = learning() ? kappaLeaf.reshape(shape) : m.create(kappa, shape);
        NDArray b = learning() ? betaLeaf.reshape(shape) : m.create(beta, shape);
        return k.mul(n.add(0.5)).add(b).add(0.5).clip(0, 1);
    }

    /** (1, C, 1, 1) for an NCHW input, (1, ..., 1, C) otherwise. */
    private Shape channelShape(Shape input) {
        int rank = input.dimension();
        int axis = rank == 4 ? 1 : rank - 1;
        if (input.get(axis) != kappa.length) {
            throw new IllegalArgumentException("border of " + kappa.length + " channels for an input of shape "
                    + input);
        }
        long[] dims = new long[rank];
        Arrays.fill(dims, 1);
        dims[axis] = kappa.length;
        return new Shape(dims);
    }
}

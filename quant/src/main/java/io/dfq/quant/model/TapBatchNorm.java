package io.dfq.quant.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.Initializer;

/**
 * Batch normalization whose input statistics can be observed.
 *
 * <p>Data-free generators match the batch mean and variance of each BN layer's input against the
 * layer's running statistics; when a {@link BnTap} is attached, every forward pass hands the input
 * (still on the autograd graph) to it. Momentum follows DJL's convention (0.9 = PyTorch's 0.1).
 */
public final class TapBatchNorm extends Unit {

    /** The epsilon added to the variance (PyTorch's default). */
    public static final float EPS = 1e-5f;

    private static final float MOMENTUM = 0.9f;

    private final int channels;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private BnTap tap;

    public TapBatchNorm(int channels) {
        this.channels = channels;
        gamma = addParameter(param("gamma", Parameter.Type.GAMMA, Initializer.ONES, true));
        beta = addParameter(param("beta", Parameter.Type.BETA, Initializer.ZEROS, true));
        runningMean = addParameter(param("runningMean", Parameter.Type.RUNNING_MEAN, Initializer.ZEROS, false));
        runningVar = addParameter(param("runningVar", Parameter.Type.RUNNING_VAR, Initializer.ONES, false));
    }

    private Parameter param(String name, Parameter.Type type, Initializer init, boolean grad) {
        return Parameter.builder()
                .setName(name)
                .setType(type)
                .optShape(new Shape(channels))
                .optInitializer(init)
                .optRequiresGrad(grad)
                .build();
    }

    /** Attaches (or, with null, detaches) the observer of this layer's input. */
    void setTap(BnTap tap) {
        this.tap = tap;
    }

    public int channels() {
        return channels;
    }

    public NDArray gamma() {
        return gamma.getArray();
    }

    public NDArray beta() {
        return beta.getArray();
    }

    public NDArray runningMean() {
        return runningMean.getArray();
    }

    public NDArray runningVar() {
        return runningVar.getArray();
    }

    @Override
    public NDArray apply(NDArray x, boolean training) {
        if (tap != null) {
            tap.observe(this, x);
        }
        return BatchNorm.batchNorm(x, runningMean(), runningVar(), gamma(), beta(), -1, MOMENTUM, EPS, training)
                .singletonOrThrow();
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    /** Per-channel batch mean and (biased) variance of an (N, C, ...) array, as BN computes them. */
    public static NDArray[] channelStats(NDArray x) {
        long c = x.getShape().get(1);
        NDArray flat = x.getShape().dimension() == 2 ? x.transpose() : x.swapAxes(0, 1).reshape(c, -1);
        NDArray mean = flat.mean(new int[] {1});
        NDArray var = flat.sub(mean.reshape(c, 1)).square().mean(new int[] {1});
        return new NDArray[] {mean, var};
    }
}

package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.BnTap;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects, during one forward pass of a tapped teacher, every image's own per-channel mean and
 * (biased) variance of each BN layer's input, taken over the spatial positions, on the autograd
 * graph.
 *
 * <p>{@link BnStatistics} keeps batch statistics only; methods that weight or group the loss by
 * image (DSG's layerwise sample enhancement, ClusterQ's class-wise statistics) need the per-image
 * statistics, from which any group's statistics follow exactly (see {@link #pooled}). Call within an
 * {@link ai.djl.ndarray.NDScope}.
 */
final class SampleBnStatistics implements BnTap, AutoCloseable {

    /** One BN layer's per-image statistics, each (N, C), and the layer itself. */
    record Layer(TapBatchNorm bn, NDArray mean, NDArray var) {}

    private final Net net;
    private final List<Layer> layers = new ArrayList<>();

    /** Starts collecting from every BN layer of {@code net}. */
    SampleBnStatistics(Net net) {
        this.net = net;
        net.tap(this);
    }

    @Override
    public void observe(TapBatchNorm bn, NDArray input) {
        layers.add(of(bn, input));
    }

    /** The per-image statistics of a BN input (N, C, ...) ((N, C) inputs have variance 0). */
    static Layer of(TapBatchNorm bn, NDArray input) {
        Shape s = input.getShape();
        NDArray flat = input.reshape(s.get(0), s.get(1), -1);
        NDArray mean = flat.mean(new int[] {2});
        NDArray var = flat.sub(mean.expandDims(2)).square().mean(new int[] {2});
        return new Layer(bn, mean, var);
    }

    /** The layers observed since the last {@link #clear()}, in forward order. */
    List<Layer> layers() {
        return layers;
    }

    /** Forgets the observed layers (before the next forward pass). */
    void clear() {
        layers.clear();
    }

    /**
     * The statistics of groups of images: {@code weights} (G, N) holds 1 / n_g for each image of
     * group g (0 elsewhere); returns the groups' mean and biased variance, each (G, C), over all
     * their images and positions: mean_g = sum_i w_gi mu_i, var_g = sum_i w_gi (var_i + mu_i^2) -
     * mean_g^2 (all images of a layer have the same number of positions).
     */
    static NDArray[] pooled(Layer layer, NDArray weights) {
        NDArray mean = weights.matMul(layer.mean());
        NDArray second = weights.matMul(layer.var().add(layer.mean().square()));
        return new NDArray[] {mean, second.sub(mean.square())};
    }

    /** Detaches from the network. */
    @Override
    public void close() {
        net.tap(null);
    }
}

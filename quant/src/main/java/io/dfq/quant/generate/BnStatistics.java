package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import io.dfq.quant.model.BnTap;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects, during one forward pass of a tapped teacher, the batch mean and variance of every BN
 * layer's input (on the autograd graph), next to the layer's running statistics: the raw material
 * of every BN-statistics matching loss. Call within an {@link ai.djl.ndarray.NDScope}: the
 * distance terms derive from the teacher's long-lived running statistics.
 */
public final class BnStatistics implements BnTap, AutoCloseable {

    /** One BN layer's batch statistics and the layer itself (for its running statistics). */
    public record Layer(TapBatchNorm bn, NDArray mean, NDArray var) {}

    private final Net net;
    private final List<Layer> layers = new ArrayList<>();

    /** Starts collecting from every BN layer of {@code net}. */
    public BnStatistics(Net net) {
        this.net = net;
        net.tap(this);
    }

    @Override
    public void observe(TapBatchNorm bn, NDArray input) {
        NDArray[] s = TapBatchNorm.channelStats(input);
        layers.add(new Layer(bn, s[0], s[1]));
    }

    /** The layers observed since the last {@link #clear()}, in forward order. */
    public List<Layer> layers() {
        return layers;
    }

    /** Forgets the observed layers (before the next forward pass). */
    public void clear() {
        layers.clear();
    }

    /**
     * ZeroQ's distance: sum over layers of mean_c (mu - mu_bn)^2 + (sigma - sigma_bn)^2, with
     * sigma = sqrt(var + eps) on both sides.
     */
    public NDArray meanStdDistance() {
        if (layers.isEmpty()) {
            throw new IllegalStateException("no BatchNorm layer observed");
        }
        NDArray total = null;
        for (Layer l : layers) {
            TapBatchNorm bn = l.bn();
            NDArray std = l.var().add(TapBatchNorm.EPS).sqrt();
            NDArray bnStd = bn.runningVar().add(TapBatchNorm.EPS).sqrt();
            NDArray term = l.mean().sub(bn.runningMean()).square().mean().add(std.sub(bnStd).square().mean());
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    /** Detaches from the network. */
    @Override
    public void close() {
        net.tap(null);
    }
}

package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import io.dfq.quant.model.BnTap;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.nn.Autograd;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pre-activation output of the conv/linear layers of a zoo network during one forward pass, as
 * per-channel batch mean and standard deviation sqrt(var + eps) on the autograd graph, keyed by the
 * layer's index in {@link Net#layers()}: what GZSQ matches against weight-derived targets.
 *
 * <p>{@link Net} taps only BN inputs, and this class must not change the model code, so it observes in
 * one of two ways. A network with BatchNorm is tapped: in eval mode a BN layer maps each channel
 * affinely (y = f (x - m) + beta, f = gamma / sqrt(v + eps)), so the moments of the BN-folded layer's
 * output follow exactly from the tapped input moments (mean f (mu - m) + beta, variance f^2 var); the
 * classifier (last layer, no BN) is read from the logits. A network without BatchNorm (LeNet-5) is
 * replayed as a chain: ReLU between layers, 2x2 max pooling after every conv, flattening before the
 * first linear layer. The replay is checked once against the network's own logits and refused when
 * they differ, so a BN-free network of another shape fails loudly instead of being matched wrongly.
 */
final class PreActivations implements BnTap, AutoCloseable {

    /** One layer's observed output moments (per channel). */
    record Moments(int layer, NDArray mean, NDArray std) {}

    private static final float CHECK_TOLERANCE = 1e-4f;

    private final Net net;
    private final Map<TapBatchNorm, Integer> index = new IdentityHashMap<>();
    private final List<Moments> observed = new ArrayList<>();

    private PreActivations(Net net) {
        this.net = net;
        List<QLayer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).batchNorm() != null) {
                index.put(layers.get(i).batchNorm(), i);
            }
        }
    }

    /**
     * Observes {@code net}; {@code probe} (a batch of inputs) checks the replay of a BN-free network.
     * Call within an {@link ai.djl.ndarray.NDScope}.
     *
     * @throws IllegalArgumentException when a BN-free network is not the chain described above
     */
    static PreActivations of(Net net, NDArray probe) {
        PreActivations p = new PreActivations(net);
        if (net.hasBatchNorm()) {
            net.tap(p);
        } else {
            p.checkChain(probe);
        }
        return p;
    }

    /** Runs the network on {@code x}; the observed layers in forward order. */
    List<Moments> observe(NDArray x) {
        observed.clear();
        if (net.hasBatchNorm()) {
            add(net.layers().size() - 1, net.logits(x, false));
        } else {
            chain(x);
        }
        return List.copyOf(observed);
    }

    @Override
    public void observe(TapBatchNorm bn, NDArray input) {
        NDArray[] s = TapBatchNorm.channelStats(input);
        NDArray factor = bn.gamma().div(bn.runningVar().add(TapBatchNorm.EPS).sqrt());
        NDArray mean = s[0].sub(bn.runningMean()).mul(factor).add(bn.beta());
        observed.add(new Moments(index.get(bn), mean, std(s[1].mul(factor.square()))));
    }

    private void add(int layer, NDArray output) {
        NDArray[] s = TapBatchNorm.channelStats(output);
        observed.add(new Moments(layer, s[0], std(s[1])));
    }

    private static NDArray std(NDArray var) {
        return var.add(TapBatchNorm.EPS).sqrt();
    }

    /** The chain replay of a BN-free network; records every layer's output, returns the logits. */
    private NDArray chain(NDArray x) {
        List<QLayer> layers = net.layers();
        Shape pool = new Shape(2, 2);
        NDArray h = x;
        for (int i = 0; ; i++) {
            QLayer layer = layers.get(i);
            if (layer.kind() == QLayer.Kind.LINEAR && h.getShape().dimension() > 2) {
                h = h.reshape(h.getShape().get(0), -1);
            }
            NDArray y = layer.apply(h, false);
            add(i, y);
            if (i == layers.size() - 1) {
                return y;
            }
            h = Activation.relu(y);
            if (layer.kind() == QLayer.Kind.CONV) {
                h = Pool.maxPool2d(h, pool, pool, new Shape(0, 0), false);
            }
        }
    }

    private void checkChain(NDArray probe) {
        float gap = Autograd.noGrad(() -> {
            NDArray replayed = chain(probe);
            NDArray logits = net.logits(probe, false);
            return replayed.sub(logits).abs().max().getFloat() / (1 + logits.abs().max().getFloat());
        });
        observed.clear();
        if (!(gap <= CHECK_TOLERANCE)) {
            throw new IllegalArgumentException("gzsq observes a BN-free network by replaying it as a"
                    + " conv/linear chain (ReLU, 2x2 max pooling after convs); " + net.arch()
                    + " is not such a chain");
        }
    }

    /** Detaches from the network. */
    @Override
    public void close() {
        if (net.hasBatchNorm()) {
            net.tap(null);
        }
    }
}

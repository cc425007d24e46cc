package io.dfq.quant.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A classifier of the model zoo: its quantizable layers in forward order and its BatchNorm layers.
 *
 * <p>Subclasses only build their layers and write the forward pass; folding, BN tapping and
 * (de)serialisation of parameters are common.
 */
public abstract class Net extends Unit {

    private final String arch;

    protected Net(String arch) {
        this.arch = arch;
    }

    /** The architecture's name in the zoo. */
    public String arch() {
        return arch;
    }

    /** Every conv/linear layer, in forward order (first is the stem, last the classifier). */
    public abstract List<QLayer> layers();

    /**
     * The network as a chain of reconstruction units: applying them in order equals {@link
     * #logits}, and together they hold every layer of {@link #layers()} once, in order.
     */
    public abstract List<Segment> segments();

    /** The number of classes: the output width of the last layer. */
    public int classes() {
        List<QLayer> all = layers();
        return all.get(all.size() - 1).outChannels();
    }

    /** Every BatchNorm layer, in forward order. */
    public List<TapBatchNorm> batchNorms() {
        List<TapBatchNorm> out = new ArrayList<>();
        for (QLayer l : layers()) {
            if (l.batchNorm() != null) {
                out.add(l.batchNorm());
            }
        }
        return out;
    }

    /** Whether the network has BatchNorm layers (BN-statistics generators need them). */
    public boolean hasBatchNorm() {
        return !batchNorms().isEmpty();
    }

    /** Routes every BN layer's input to {@code tap} (null detaches). */
    public void tap(BnTap tap) {
        for (TapBatchNorm bn : batchNorms()) {
            bn.setTap(tap);
        }
    }

    /** Folds every BN into its preceding layer (see {@link QLayer#fold()}). */
    public void fold() {
        layers().forEach(QLayer::fold);
    }

    /** Allocates and initializes parameters on {@code manager} for inputs of shape (C, H, W). */
    public void init(NDManager manager, Shape imageShape) {
        initialize(manager, DataType.FLOAT32, new Shape(1).addAll(imageShape));
    }

    /** Logits for a batch (N, C, H, W). */
    public NDArray logits(NDArray images, boolean training) {
        return apply(images, training);
    }

    /** The penultimate features (the classifier's input) for a batch (N, C, H, W). */
    public abstract NDArray features(NDArray images, boolean training);

    /** Logits from penultimate features. */
    public NDArray classify(NDArray features, boolean training) {
        List<QLayer> all = layers();
        return all.get(all.size() - 1).apply(features, training);
    }

    @Override
    public NDArray apply(NDArray x, boolean training) {
        return classify(features(x, training), training);
    }

    /** Writes all parameters (running statistics included). */
    public void save(DataOutputStream out) throws IOException {
        saveParameters(out);
    }

    /** Reads parameters written by {@link #save} for the same architecture and width. */
    public void load(NDManager manager, DataInputStream in) throws IOException {
        try {
            loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException("parameters do not fit " + arch + ": " + e.getMessage(), e);
        }
    }

    /** Number of weights and biases of the conv/linear layers. */
    public long parameterCount() {
        long n = 0;
        for (QLayer l : layers()) {
            n += l.weightCount() + l.outChannels();
        }
        return n;
    }

    /** Global average pooling over H and W: (N, C, H, W) -> (N, C). */
    protected static NDArray globalAvgPool(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), -1).mean(new int[] {2});
    }
}

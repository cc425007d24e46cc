package io.dfq.quant.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.Initializer;
import io.dfq.quant.nn.Init;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.WeightQuantizer;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A convolution or linear layer, optionally followed by BatchNorm, that can be folded and fake
 * quantized: the unit of quantization.
 *
 * <p>Every weight-bearing layer of every model is a {@code QLayer}, so folding, weight quantization
 * and input-activation quantization are written once. After {@link #fold()} the BN is absorbed into
 * the weight and bias and skipped; a quantizer may then install a fake-quantized weight
 * ({@link #setQuantizedWeight}) and an input quantizer ({@link #setInputQuantizer}).
 */
public final class QLayer extends Unit {

    /** Convolution or fully connected. */
    public enum Kind {
        CONV,
        LINEAR
    }

    private final String name;
    private final Kind kind;
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;
    private final TapBatchNorm bn;
    private boolean folded;
    private NDArray quantizedWeight;
    private WeightQuantizer.Quantized codes;
    private ActQuantizer inputQuantizer;
    private Consumer<NDArray> probe;
    private int weightBits;
    private Random swing;

    private QLayer(String name, Kind kind, int in, int out, int kernel, int stride, int padding,
            int groups, boolean withBn, Random rnd) {
        this.name = name;
        this.kind = kind;
        this.inChannels = in;
        this.outChannels = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
        Shape wShape = kind == Kind.CONV ? new Shape(out, in / groups, kernel, kernel) : new Shape(out, in);
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(wShape)
                .optInitializer(kind == Kind.CONV ? Init.kaimingNormal(rnd) : Init.fanInUniform(rnd))
                .build());
        bias = addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(out))
                .optInitializer(withBn ? Initializer.ZEROS : Init.fanInUniform(rnd))
                .optRequiresGrad(!withBn)
                .build());
        bn = withBn ? addChildBlock("bn", new TapBatchNorm(out)) : null;
    }

    /** A k x k convolution (padding k/2) with optional BatchNorm. */
    public static QLayer conv(String name, int in, int out, int kernel, int stride, int groups,
            boolean withBn, Random rnd) {
        return new QLayer(name, Kind.CONV, in, out, kernel, stride, kernel / 2, groups, withBn, rnd);
    }

    /** A convolution with explicit padding and no BatchNorm (LeNet-5). */
    public static QLayer convNoBn(String name, int in, int out, int kernel, int padding, Random rnd) {
        return new QLayer(name, Kind.CONV, in, out, kernel, 1, padding, 1, false, rnd);
    }

    /** A fully connected layer. */
    public static QLayer linear(String name, int in, int out, Random rnd) {
        return new QLayer(name, Kind.LINEAR, in, out, 1, 1, 0, 1, false, rnd);
    }

    @Override
    public NDArray apply(NDArray x, boolean training) {
        if (probe != null) {
            probe.accept(x);
        }
        NDArray in = inputQuantizer == null ? x : inputQuantizer.apply(x);
        if (swing != null && stride > 1) {
            in = swing(in);
        }
        NDArray w = quantizedWeight != null ? quantizedWeight : weight.getArray();
        NDArray y = kind == Kind.CONV
                ? Conv2d.conv2d(in, w, bias.getArray(), new Shape(stride, stride),
                        new Shape(padding, padding), new Shape(1, 1), groups).singletonOrThrow()
                : Linear.linear(in, w, bias.getArray()).singletonOrThrow();
        return bn != null && !folded ? bn.apply(y, training) : y;
    }

    /**
     * Genie's swing convolution (Jeon et al., "Genie: Show Me the Data for Quantization", CVPR 2023):
     * while {@code rnd} is set, a strided convolution first shifts its input by an offset (dx, dy) in
     * {-1, 0, 1}^2 drawn from {@code rnd} at every forward pass (x first, as the reference code), the
     * input being reflect-padded by one pixel and cropped back to its size, so that the stride samples
     * every phase of the synthetic images instead of always the same pixels. Null (the default)
     * switches it off; layers with stride 1 ignore it. Synthesis only: never set on a model that is
     * evaluated or quantized.
     */
    public void setSwing(Random rnd) {
        this.swing = rnd;
    }

    /** out[y][x] = in[r(y + dy)][r(x + dx)], r reflecting at the border (reflect pad 1, crop at 1 + d). */
    private NDArray swing(NDArray x) {
        int dx = swing.nextInt(3) - 1;
        int dy = swing.nextInt(3) - 1;
        return shift(shift(x, 3, dx), 2, dy);
    }

    private static NDArray shift(NDArray x, int axis, int d) {
        if (d == 0) {
            return x;
        }
        long n = x.getShape().get(axis);
        String lead = ":, ".repeat(axis);
        NDArray body = x.get(new NDIndex(lead + (d > 0 ? "1:" : ":" + (n - 1))));
        NDArray edge = x.get(new NDIndex(lead + (d > 0 ? (n - 2) + ":" + (n - 1) : "1:2")));
        return NDArrays.concat(d > 0 ? new NDList(body, edge) : new NDList(edge, body), axis);
    }

    @Override
    public Shape outputShape(Shape input) {
        if (kind == Kind.LINEAR) {
            return new Shape(input.get(0), outChannels);
        }
        long h = (input.get(2) + 2L * padding - kernel) / stride + 1;
        long w = (input.get(3) + 2L * padding - kernel) / stride + 1;
        return new Shape(input.get(0), outChannels, h, w);
    }

    /**
     * Absorbs the BatchNorm (running statistics) into weight and bias: w' = w * g / sqrt(v + eps),
     * b' = (b - m) * g / sqrt(v + eps) + beta. Layers without BN only change mode.
     */
    public void fold() {
        if (folded) {
            return;
        }
        if (bn != null) {
            NDArray w = weight.getArray();
            NDArray b = bias.getArray();
            try (NDManager scope = w.getManager().newSubManager()) {
                NDArray factor = bn.gamma().duplicate();
                factor.attach(scope);
                NDArray std = bn.runningVar().add(TapBatchNorm.EPS).sqrt();
                std.attach(scope);
                factor.divi(std);
                NDArray folded = w.mul(factor.reshape(channelShape()));
                folded.attach(scope);
                NDArray newBias = b.sub(bn.runningMean()).mul(factor).add(bn.beta());
                newBias.attach(scope);
                w.set(folded.toFloatArray());
                b.set(newBias.toFloatArray());
            }
        }
        folded = true;
    }

    /** The shape that broadcasts one value per output channel over the weight: (C, 1, 1, 1) or (C, 1). */
    public Shape channelShape() {
        return kind == Kind.CONV ? new Shape(outChannels, 1, 1, 1) : new Shape(outChannels, 1);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int groups() {
        return groups;
    }

    public boolean isFolded() {
        return folded;
    }

    /** The BatchNorm after this layer, or null. */
    public TapBatchNorm batchNorm() {
        return bn;
    }

    /** The FP32 (folded, once {@link #fold()} ran) weight. */
    public NDArray weight() {
        return weight.getArray();
    }

    public NDArray bias() {
        return bias.getArray();
    }

    /**
     * Makes the forward pass use {@code w} (a fake-quantized copy of {@link #weight()}, owned by the
     * caller's manager, possibly on an autograd graph during reconstruction) at {@code bits}; null
     * restores FP32 weights. The layer then has no integer codes until {@link #setQuantized}.
     */
    public void setQuantizedWeight(NDArray w, int bits) {
        this.quantizedWeight = w;
        this.weightBits = w == null ? 0 : bits;
        this.codes = null;
    }

    /**
     * Makes the forward pass use the dequantized {@code q} (created on {@code manager}) at {@code
     * bits}, keeping the integer codes and per-channel parameters for export.
     */
    public void setQuantized(WeightQuantizer.Quantized q, int bits, NDManager manager) {
        setQuantizedWeight(manager.create(q.dequantize(), weight().getShape()), bits);
        this.codes = q;
    }

    /** The integer weights and per-channel parameters in use, or null (FP32 or soft weights). */
    public WeightQuantizer.Quantized quantized() {
        return codes;
    }

    /** The integer weights in use; fails naming the layer when it has none (not yet calibrated). */
    public WeightQuantizer.Quantized calibrated() {
        if (codes == null) {
            throw new IllegalStateException("layer " + name + " has no calibrated weight quantizer");
        }
        return codes;
    }

    /**
     * Marks the layer folded with the given (folded) bias, without touching the weight: for a layer
     * whose forward weight comes from a stored quantized model.
     */
    public void restoreFolded(float[] foldedBias) {
        bias.getArray().set(foldedBias);
        folded = true;
    }

    /** Replaces the folded bias (a bias correction after quantization); the layer must be folded. */
    public void setFoldedBias(float[] foldedBias) {
        if (!folded) {
            throw new IllegalStateException("layer " + name + " is not folded");
        }
        bias.getArray().set(foldedBias);
    }

    /**
     * Calls {@code probe} with every raw input (before input quantization) of this layer; null
     * removes it. Used to capture a layer's or a segment's calibration inputs.
     */
    public void setProbe(Consumer<NDArray> probe) {
        this.probe = probe;
    }

    /** Bits of the installed quantized weight, 0 when FP32. */
    public int weightBits() {
        return weightBits;
    }

    public ActQuantizer inputQuantizer() {
        return inputQuantizer;
    }

    /** Quantizes this layer's input with {@code q} (null = none). */
    public void setInputQuantizer(ActQuantizer q) {
        this.inputQuantizer = q;
    }

    /** Number of weights. */
    public long weightCount() {
        return weight.getArray().getShape().size();
    }
}

package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.Initializer;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.model.Unit;
import io.dfq.quant.nn.Init;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The image generator of the generator-based methods, for C x H x W images (H, W divisible by 4).
 *
 * <p>GDFQ's generator (Xu et al., ECCV 2020; also Qimera's), {@link #gdfq}: input vector -> linear
 * -> 128 x H/4 x W/4 -> BN -> upsample x2 -> conv3x3 128 -> BN (eps 0.8) -> LeakyReLU(0.2) -> upsample
 * x2 -> conv3x3 64 -> BN (eps 0.8) -> LeakyReLU(0.2) -> conv3x3 C -> tanh -> BN (no affine). The eps
 * 0.8 is the reference code's {@code nn.BatchNorm2d(128, 0.8)}, whose second argument is eps.
 * Genie-D's smaller generator (Jeon et al., CVPR 2023), {@link #genie}: input -> linear -> 128 x H/4 x
 * W/4 -> BN -> upsample x2 -> conv3x3 64 -> BN -> LeakyReLU(0.2) -> upsample x2 -> conv3x3 C -> tanh
 * -> BN (no affine). Channel counts are scaled by a width multiplier; upsampling is nearest-neighbour.
 *
 * <p>Built from its own small blocks rather than the model zoo's: its BatchNorms run in training
 * mode (batch statistics, as the reference generators always do) and are not the teacher's {@link
 * TapBatchNorm} layers, so BN-statistics taps never see them. Every parameter has an explicit shape
 * and a Java-seeded initializer (PyTorch's defaults: weights and biases of linear and conv layers
 * uniform in +-1/sqrt(fan-in), label embeddings N(0, 1)), so a generator is a pure function of its
 * seed.
 */
public final class GeneratorNet extends Unit {

    /** GDFQ's eps of the two hidden BatchNorms. */
    private static final float GDFQ_EPS = 0.8f;

    private static final float LEAKY_SLOPE = 0.2f;
    private static final int UPSAMPLED_STAGES = 2;

    private final int inDim;
    private final int firstChannels;
    private final int imageChannels;
    private final long height;
    private final long width;
    private final Dense input;
    private final Norm inputNorm;
    private final List<Stage> stages = new ArrayList<>();

    private GeneratorNet(int inDim, Shape image, int firstChannels, int[] hidden, float hiddenEps,
            Random rnd) {
        if (image.get(1) % 4 != 0 || image.get(2) % 4 != 0) {
            throw new IllegalArgumentException("generator images must have H and W divisible by 4: " + image);
        }
        this.inDim = inDim;
        this.firstChannels = firstChannels;
        this.imageChannels = (int) image.get(0);
        this.height = image.get(1) / 4;
        this.width = image.get(2) / 4;
        input = addChildBlock("input", new Dense(inDim, (int) (firstChannels * height * width), rnd));
        inputNorm = addChildBlock("input_bn", new Norm(firstChannels, TapBatchNorm.EPS, true));
        int in = firstChannels;
        for (int i = 0; i <= hidden.length; i++) {
            boolean output = i == hidden.length;
            int out = output ? imageChannels : hidden[i];
            Norm norm = new Norm(out, output ? TapBatchNorm.EPS : hiddenEps, !output);
            stages.add(addChildBlock("stage" + (i + 1),
                    new Stage(new Conv(in, out, rnd), norm, i < UPSAMPLED_STAGES, output)));
            in = out;
        }
    }

    /** GDFQ's (and Qimera's) generator for inputs of {@code inDim} values. */
    public static GeneratorNet gdfq(int inDim, Shape image, double width, Random rnd) {
        int first = scaled(128, width);
        return new GeneratorNet(inDim, image, first, new int[] {first, scaled(64, width)}, GDFQ_EPS, rnd);
    }

    /** Genie-D's generator for latents of {@code inDim} values. */
    public static GeneratorNet genie(int inDim, Shape image, double width, Random rnd) {
        int[] hidden = {scaled(64, width)};
        return new GeneratorNet(inDim, image, scaled(128, width), hidden, TapBatchNorm.EPS, rnd);
    }

    private static int scaled(int channels, double width) {
        return Math.max(1, (int) Math.round(channels * width));
    }

    /** Allocates and initializes the parameters on {@code manager}. */
    public void init(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, inDim));
    }

    /** Images (N, C, H, W) from inputs (N, inDim); pass {@code training = true} (batch statistics). */
    @Override
    public NDArray apply(NDArray x, boolean training) {
        NDArray h = input.apply(x, training).reshape(x.getShape().get(0), firstChannels, height, width);
        h = inputNorm.apply(h, training);
        for (Stage s : stages) {
            h = s.apply(h, training);
        }
        return h;
    }

    @Override
    public Shape outputShape(Shape in) {
        return new Shape(in.get(0), imageChannels, height * 4, width * 4);
    }

    /** The arrays of every trainable parameter of {@code blocks}, in a fixed order (for the optimizer). */
    static List<NDArray> trainable(Block... blocks) {
        List<NDArray> out = new ArrayList<>();
        for (Block b : blocks) {
            for (Parameter p : b.getParameters().values()) {
                if (p.requiresGradient()) {
                    out.add(p.getArray());
                }
            }
        }
        return out;
    }

    private static Parameter param(String name, Parameter.Type type, Shape shape, Initializer init,
            boolean grad) {
        return Parameter.builder().setName(name).setType(type).optShape(shape).optInitializer(init)
                .optRequiresGrad(grad).build();
    }

    /** Uniform in [-bound, bound], drawn from {@code rnd}. */
    private static Initializer uniform(Random rnd, double bound) {
        return (manager, shape, type) -> {
            float[] v = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
            return manager.create(v, shape);
        };
    }

    /** A fully connected layer with PyTorch's default initialization (also Qimera's mapping layer). */
    public static final class Dense extends Unit {

        private final int out;
        private final Parameter weight;
        private final Parameter bias;

        public Dense(int in, int out, Random rnd) {
            this.out = out;
            weight = addParameter(param("weight", Parameter.Type.WEIGHT, new Shape(out, in),
                    Init.fanInUniform(rnd), true));
            bias = addParameter(param("bias", Parameter.Type.BIAS, new Shape(out),
                    uniform(rnd, 1 / Math.sqrt(in)), true));
        }

        @Override
        public NDArray apply(NDArray x, boolean training) {
            return Linear.linear(x, weight.getArray(), bias.getArray()).singletonOrThrow();
        }

        @Override
        public Shape outputShape(Shape in) {
            return new Shape(in.get(0), out);
        }
    }

    /**
     * A learned label embedding (classes x dim, N(0, 1) like {@code nn.Embedding}), applied to (N,
     * classes) one-hot rows: a one-hot row selects its class's vector, a row of mixing coefficients
     * their combination.
     */
    public static final class Embedding extends Unit {

        private final Parameter table;

        public Embedding(int classes, int dim, Random rnd) {
            table = addParameter(param("table", Parameter.Type.WEIGHT, new Shape(classes, dim),
                    (m, shape, t) -> m.create(Init.gaussian(rnd, shape, 1.0), shape), true));
        }

        /** The (classes x dim) table. */
        public NDArray table() {
            return table.getArray();
        }

        @Override
        public NDArray apply(NDArray rows, boolean training) {
            return rows.matMul(table.getArray());
        }

        @Override
        public Shape outputShape(Shape in) {
            return new Shape(in.get(0), table.getShape().get(1));
        }
    }

    /** A 3x3 convolution, stride 1, padding 1. */
    private static final class Conv extends Unit {

        private final int out;
        private final Parameter weight;
        private final Parameter bias;

        Conv(int in, int out, Random rnd) {
            this.out = out;
            weight = addParameter(param("weight", Parameter.Type.WEIGHT, new Shape(out, in, 3, 3),
                    Init.fanInUniform(rnd), true));
            bias = addParameter(param("bias", Parameter.Type.BIAS, new Shape(out),
                    uniform(rnd, 1 / Math.sqrt(in * 9.0)), true));
        }

        @Override
        public NDArray apply(NDArray x, boolean training) {
            return Conv2d.conv2d(x, weight.getArray(), bias.getArray(), new Shape(1, 1), new Shape(1, 1),
                    new Shape(1, 1), 1).singletonOrThrow();
        }

        @Override
        public Shape outputShape(Shape in) {
            return new Shape(in.get(0), out, in.get(2), in.get(3));
        }
    }

    /**
     * BatchNorm with its own eps; {@code affine = false} keeps gamma 1 and beta 0 (not trained). The
     * running statistics are kept, as PyTorch's BatchNorm2d does, but never read in training mode.
     */
    private static final class Norm extends Unit {

        private static final float MOMENTUM = 0.9f; // DJL's convention: PyTorch's 0.1

        private final float eps;
        private final Parameter gamma;
        private final Parameter beta;
        private final Parameter runningMean;
        private final Parameter runningVar;

        Norm(int channels, float eps, boolean affine) {
            this.eps = eps;
            Shape s = new Shape(channels);
            gamma = addParameter(param("gamma", Parameter.Type.GAMMA, s, Initializer.ONES, affine));
            beta = addParameter(param("beta", Parameter.Type.BETA, s, Initializer.ZEROS, affine));
            runningMean = addParameter(param("runningMean", Parameter.Type.RUNNING_MEAN, s, Initializer.ZEROS,
                    false));
            runningVar = addParameter(param("runningVar", Parameter.Type.RUNNING_VAR, s, Initializer.ONES,
                    false));
        }

        @Override
        public NDArray apply(NDArray x, boolean training) {
            return BatchNorm.batchNorm(x, runningMean.getArray(), runningVar.getArray(), gamma.getArray(),
                    beta.getArray(), -1, MOMENTUM, eps, training).singletonOrThrow();
        }

        @Override
        public Shape outputShape(Shape in) {
            return in;
        }
    }

    /** [upsample x2 ->] conv3x3 -> BN -> LeakyReLU(0.2), or for the output conv3x3 -> tanh -> BN. */
    private static final class Stage extends Unit {

        private final Conv conv;
        private final Norm norm;
        private final boolean upsample;
        private final boolean output;

        Stage(Conv conv, Norm norm, boolean upsample, boolean output) {
            this.conv = addChildBlock("conv", conv);
            this.norm = addChildBlock("bn", norm);
            this.upsample = upsample;
            this.output = output;
        }

        @Override
        public NDArray apply(NDArray x, boolean training) {
            NDArray h = upsample ? x.repeat(2, 2).repeat(3, 2) : x;
            h = conv.apply(h, training);
            return output
                    ? norm.apply(h.tanh(), training)
                    : Activation.leakyRelu(norm.apply(h, training), LEAKY_SLOPE);
        }

        @Override
        public Shape outputShape(Shape in) {
            Shape s = conv.outputShape(in);
            return upsample ? new Shape(s.get(0), s.get(1), s.get(2) * 2, s.get(3) * 2) : s;
        }
    }
}

package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.Observer;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.qcore.WeightQuantizer;
import io.dfq.quant.quantize.NestedModes;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.ptq.Calibration;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Once QAT, vertical layering of quantized networks (Wu, He, Tan, Qi, Huang, "Vertical Layering of
 * Quantized Neural Networks for Heterogeneous Inference", TPAMI 2023): one set of 8-bit integer
 * weights whose top b bits are the weights of the b-bit network, for every b of {@code bits}, trained
 * by distillation from the FP teacher so that every bit-width works. Every bit-width is evaluated and
 * recorded as a result of its own (declared as {@link NestedModes}); the trial's own row is the
 * largest, which must be the trial's wbits and abits.
 *
 * <p>No code of the paper is public; its abstract gives the nesting (the lowest bit-width is the basic
 * layer, each dropped bit an enhance layer), the cascade mapping of higher to adjacent lower precision
 * and the multi-objective training of the shared weights. The rest is <b>our reading</b>
 * (qat-methods.md section 3):
 *
 * <ul>
 *   <li>unsigned mid-rise codes per output channel: u_8 = clamp(floor(w / s_8 + 128), 0, 255), u_b =
 *       u_8 >> (8 - b), s_b = 2^(8-b) s_8, value_b = (u_b - (2^b - 1) / 2) s_b. As floor(floor(y) / m)
 *       = floor(y / m), u_b is also the direct mid-rise code at b bits, which training computes;
 *   <li>the step s_8 is learned (LSQ, Esser et al., ICLR 2020) and shared by all bit-widths, each
 *       contributing its gradient scaled by 1 / sqrt(n * 2^(b-1)) (n weights per channel) and by
 *       4^-(8-b), so that each moves s_8 by the relative amount LSQ would move its own s_b; it starts
 *       from the grid search minimising the sum over the bit-widths of the weights' squared error;
 *   <li>activations are not stored, so they do not nest: each mode has its own learned per-tensor
 *       input quantizers, A_b with W_b, calibrated with that mode's weights by the range search of
 *       {@code init}: by default the Lp (MSE) search, since a min-max range at 2 bits leaves the
 *       2-bit mode near chance (ResNet-20, 1024 IntraQ images, 8/4/2, 3 epochs, first 2000 test
 *       images: 15.40% from min-max, 66.65% from the MSE search; 8 and 4 bits 94.15 / 93.00% and
 *       94.10 / 93.25%);
 *   <li>each step minimises sum_b lambda_b KD(teacher, student_b) ({@link KdTraining#distillation}),
 *       one forward pass per mode, one backward pass and one optimizer step;
 *   <li>layers the protocol keeps at 8 bits stay at 8 bits in every mode (weights and activations).
 * </ul>
 */
public final class OnceQat implements Quantizer {

    /** The bit-width of the stored codes, from which every mode takes its top bits. */
    static final int TOP_BITS = 8;

    @Override
    public String name() {
        return "once-qat";
    }

    @Override
    public List<ParamSpec> params() {
        return KdTraining.params(20, 1e-4,
                ParamSpec.text("bits", "8,4,2", "the nested bit-widths, descending, at most 8; the first is the"
                        + " trial's wbits and abits"),
                ParamSpec.text("lambdas", "", "loss weight of each bit-width, comma separated (empty: all 1)"),
                QatKd.init("mse", "activation range search of each mode"));
    }

    @Override
    public Optional<String> unsupportedReason(JsonNode trial) {
        Params p = Params.of(this, trial.get("quantizer"));
        try {
            int[] bits = bits(p.getString("bits"));
            lambdas(p.getString("lambdas"), bits.length);
            int wbits = trial.path("wbits").asInt();
            int abits = trial.path("abits").asInt();
            if (wbits != bits[0] || abits != bits[0]) {
                return Optional.of("once-qat: the trial's W" + wbits + "A" + abits + " must be W" + bits[0] + "A"
                        + bits[0] + ", the largest of the nested bit-widths " + p.getString("bits")
                        + " (the trial's own result is that mode; the others are recorded beside it)");
            }
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        int[] bits = bits(p.getString("bits"));
        double[] lambdas = lambdas(p.getString("lambdas"), bits.length);
        if (ctx.wbits() != bits[0] || ctx.abits() != bits[0]) {
            throw new IllegalArgumentException("once-qat: W" + ctx.wbits() + "A" + ctx.abits() + " is not the largest"
                    + " nested bit-width " + bits[0]);
        }
        List<QLayer> layers = ctx.network().layers();
        List<NestedWeights> weights = new ArrayList<>();
        List<NDArray> parameters = new ArrayList<>();
        List<NDArray> steps = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            int[] layerBits = new int[bits.length];
            for (int m = 0; m < bits.length; m++) {
                layerBits[m] = ctx.protocol().bits(i, layers.size(), bits[m], bits[m]).weight();
            }
            NestedWeights w = new NestedWeights(layers.get(i), layerBits, ctx.manager());
            weights.add(w);
            parameters.addAll(List.of(w.layer.weight(), w.layer.bias()));
            steps.add(w.step);
        }
        ActQuantizer[][] acts = new ActQuantizer[bits.length][];
        Observer observer = QatKd.activationObserver(p);
        for (int m = 0; m < bits.length; m++) {
            for (NestedWeights w : weights) {
                w.install(m);
            }
            Calibration.calibrateActivations(ctx.withBits(bits[m], bits[m]), observer, false);
            acts[m] = layers.stream().map(QLayer::inputQuantizer).toArray(ActQuantizer[]::new);
            for (ActQuantizer q : acts[m]) {
                if (q != null) {
                    steps.add(q.learnStep(ctx.manager()));
                }
            }
        }
        KdTraining.run(name(), ctx, new KdTraining.Trained(parameters, steps) {
            /** Nothing: each mode installs its own weights in {@link #loss}. */
            @Override
            public void install() {}

            @Override
            public NDArray loss(Net net, KdTraining.Batch batch, KdTraining.Settings s) {
                NDArray total = null;
                for (int m = 0; m < bits.length; m++) {
                    useActs(layers, acts[m]);
                    for (NestedWeights w : weights) {
                        w.install(m);
                    }
                    NDArray loss = Scalars.mul(KdTraining.distillation(net.logits(batch.images(), false), batch, s),
                            lambdas[m]);
                    total = total == null ? loss : total.add(loss);
                }
                return total;
            }
        }, KdTraining.Settings.of(p), p.getBool("joint"));
        for (ActQuantizer[] mode : acts) {
            for (ActQuantizer q : mode) {
                if (q != null) {
                    q.freezeStep();
                }
            }
        }
        List<WeightQuantizer.Quantized[]> codes = weights.stream().map(NestedWeights::finish).toList();
        List<NestedModes.Mode> modes = new ArrayList<>();
        for (int m = 0; m < bits.length; m++) {
            int mode = m;
            modes.add(new NestedModes.Mode(bits[m], bits[m], () -> {
                useActs(layers, acts[mode]);
                for (int i = 0; i < layers.size(); i++) {
                    layers.get(i).setQuantized(codes.get(i)[mode], weights.get(i).bits[mode], ctx.manager());
                }
            }));
        }
        modes.get(0).install().run();
        ctx.nested().declare(modes);
    }

    private static void useActs(List<QLayer> layers, ActQuantizer[] acts) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).setInputQuantizer(acts[i]);
        }
    }

    /** The nested bit-widths of {@code text}: strictly descending, each in [1, 8]. */
    static int[] bits(String text) {
        try {
            int[] bits = Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            for (int i = 0; i < bits.length; i++) {
                if (bits[i] < 1 || bits[i] > TOP_BITS || i > 0 && bits[i] >= bits[i - 1]) {
                    throw new NumberFormatException();
                }
            }
            return bits;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("once-qat: bits must be strictly descending bit-widths in [1, 8]"
                    + " separated by commas, e.g. 8,4,2; got '" + text + "'", e);
        }
    }

    /** The loss weights of {@code text}, one per bit-width; empty text weighs every one 1. */
    static double[] lambdas(String text, int count) {
        if (text.isBlank()) {
            double[] ones = new double[count];
            Arrays.fill(ones, 1);
            return ones;
        }
        try {
            double[] lambdas = Arrays.stream(text.split(",")).map(String::trim).mapToDouble(Double::parseDouble)
                    .toArray();
            if (lambdas.length != count || Arrays.stream(lambdas).anyMatch(l -> !(l >= 0) || Double.isInfinite(l))) {
                throw new NumberFormatException();
            }
            return lambdas;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("once-qat: lambdas must be " + count + " finite weights >= 0 separated"
                    + " by commas, one per bit-width; got '" + text + "'", e);
        }
    }

    /** u_b = clamp(floor(w / s_b + 2^(b-1)), 0, 2^b - 1) with s_b = 2^(8-b) s_8: the code of w at b bits. */
    static int code(float w, float step8, int bits) {
        double u = Math.floor(w / (step8 * (double) (1 << (TOP_BITS - bits))) + (1 << (bits - 1)));
        return (int) Math.max(0, Math.min((1 << bits) - 1, u));
    }

    /** (u - (2^b - 1) / 2) s_b: the value of code u at b bits. */
    static float value(int code, float step8, int bits) {
        return (code - ((1 << bits) - 1) / 2f) * (step8 * (1 << (TOP_BITS - bits)));
    }

    /**
     * One layer's nested weights: the FP weights and the per-channel 8-bit step s_8 trained, each mode
     * m fake-quantizing at its bit-width {@code bits[m]}.
     */
    static final class NestedWeights {

        /** Candidate steps of the initial search: s_8 = k / GRID * max|w| / 127.5, k = 1..GRID. */
        private static final int GRID = 100;

        final QLayer layer;
        final int[] bits;
        final NDArray step;
        private final int perChannel;

        NestedWeights(QLayer layer, int[] bits, NDManager manager) {
            this.layer = layer;
            this.bits = bits.clone();
            this.perChannel = (int) (layer.weightCount() / layer.outChannels());
            this.step = manager.create(initialSteps(layer.weight().toFloatArray()), layer.channelShape());
            step.setRequiresGradient(true);
            layer.weight().setRequiresGradient(true);
            layer.bias().setRequiresGradient(true);
        }

        /** Per channel, the s_8 of the grid that minimises the summed squared error over the modes. */
        private float[] initialSteps(float[] w) {
            float[] steps = new float[layer.outChannels()];
            for (int c = 0; c < steps.length; c++) {
                float max = 0;
                for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                    max = Math.max(max, Math.abs(w[i]));
                }
                double best = Double.POSITIVE_INFINITY;
                steps[c] = Math.max(max / 127.5f, QParams.MIN_SCALE);
                for (int k = 1; k <= GRID && max > 0; k++) {
                    float s = k * max / (GRID * 127.5f);
                    double error = 0;
                    for (int b : bits) {
                        for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                            double d = w[i] - value(code(w[i], s, b), s, b);
                            error += d * d;
                        }
                    }
                    if (error < best) {
                        best = error;
                        steps[c] = s;
                    }
                }
            }
            return steps;
        }

        /**
         * The weight fake-quantized in mode m, on the autograd graph of the weights (straight through
         * inside the code range) and of s_8 (LSQ, scaled as the class describes).
         */
        NDArray quantizedWeight(int m) {
            int b = bits[m];
            int shift = 1 << (TOP_BITS - b);
            double gradScale = 1 / (Math.sqrt(perChannel * (double) (1 << (b - 1))) * shift * shift);
            NDArray s = Scalars.mul(Scalars.gradScaled(step, gradScale), shift);
            NDArray v = Scalars.add(layer.weight().div(s), 1 << (b - 1));
            NDArray floored = v.add(v.floor().sub(v).stopGradient());
            return Scalars.add(floored.clip(0, (1 << b) - 1), -((1 << b) - 1) / 2.0).mul(s);
        }

        /** Makes the layer's forward use mode m's fake-quantized weight. */
        void install(int m) {
            layer.setQuantizedWeight(quantizedWeight(m), bits[m]);
        }

        /**
         * Fixes the codes with the learned steps: per mode, u_8 >> (8 - b) with the values of a
         * per-channel level table (mid-rise codes have no integer zero point).
         */
        WeightQuantizer.Quantized[] finish() {
            float[] w = layer.weight().toFloatArray();
            float[] s = step.toFloatArray();
            int[] top = new int[w.length];
            for (int i = 0; i < w.length; i++) {
                top[i] = code(w[i], Math.max(Math.abs(s[i / perChannel]), QParams.MIN_SCALE), TOP_BITS);
            }
            WeightQuantizer.Quantized[] modes = new WeightQuantizer.Quantized[bits.length];
            for (int m = 0; m < bits.length; m++) {
                int b = bits[m];
                int[] codes = new int[w.length];
                for (int i = 0; i < w.length; i++) {
                    codes[i] = top[i] >> (TOP_BITS - b);
                }
                QParams[] channels = new QParams[s.length];
                float[][] levels = new float[s.length][1 << b];
                for (int c = 0; c < s.length; c++) {
                    float step8 = Math.max(Math.abs(s[c]), QParams.MIN_SCALE);
                    channels[c] = new QParams(step8 * (1 << (TOP_BITS - b)), 1 << (b - 1), 0, (1 << b) - 1);
                    for (int u = 0; u < levels[c].length; u++) {
                        levels[c][u] = value(u, step8, b);
                    }
                }
                modes[m] = new WeightQuantizer.Quantized(codes, channels, levels);
            }
            layer.weight().setRequiresGradient(false);
            layer.bias().setRequiresGradient(false);
            return modes;
        }
    }
}

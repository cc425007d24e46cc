package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.Segment;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.MinMaxObserver;
import io.dfq.quant.qcore.Protocol;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.ptq.Calibration;
import io.dfq.quant.quantize.recon.InputCache;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DIR-Net, W1A1 binarization (Qin et al., "Distribution-sensitive Information Retention for Accurate
 * Binary Neural Network", IJCV 2022), built on IR-Net (Qin et al., CVPR 2020), trained by our
 * distillation loop ({@link KdTraining}). No DIR-Net code is public; what follows the IR-Net reference
 * code (htqin/IR-Net) and what is our reading (work notes, qat-methods.md section 1):
 *
 * <ul>
 *   <li>IMB on the weights, per output channel: balance, standardise with the unbiased std (both
 *       differentiated through), scale by the detached 2^round(log2(mean |bw|)), binarize
 *       ({@link BinaryWeights}): the IR-Net code. Our addition: a learnable per-channel magnitude
 *       alpha, since our student is BN-folded and no BatchNorm follows the binary conv to restore the
 *       scale; the bias stays FP.
 *   <li>DTE: forward sign, backward k t (1 - tanh^2(t x)), t rising per epoch from {@code t_min} to
 *       {@code t_max} on a log scale, k = max(1 / t, 1) ({@link Dte}): the IR-Net code's estimator and
 *       schedule. Our reading: on activations its t is divided by the std of the thresholded input, so
 *       that both stages follow the input's distribution ("distribution-sensitive").
 *   <li>Binary activations around a learnable per-channel threshold mu with a learnable magnitude beta
 *       ({@link BinaryActivations}): our reading; the reference takes sign(a) of raw inputs, which is
 *       constant after our ReLUs.
 *   <li>RBD: the abstract only says representations are distilled from the FP network. Our reading:
 *       the attention-transfer loss (Zagoruyko and Komodakis, ICLR 2017; szagoruyko/attention-transfer
 *       {@code at_loss}) between the FP teacher's and the student's outputs of every segment of {@link
 *       Net#segments()} but the first (stem) and the last (classifier) whose output is a feature map,
 *       weighted by {@code w_rbd} and added to the KD loss (none for networks without such segments).
 * </ul>
 *
 * <p>Which layers are binarized is the protocol's: with first-last-8bit the stem and the classifier
 * stay on qat-kd's 8-bit LSQ fake quantization (min-max initialised). Defaults: SGD lr 3e-4 (a
 * fine-tuning of the aligned FP network, far below IR-Net's 0.1 from scratch: on ResNet-20 with 256
 * real images and 10 epochs, lr 1e-2 drove the network to a constant prediction, and of 1e-3, 3e-4,
 * 1e-4 and 3e-5, 3e-4 ended with the lowest training loss), 30 epochs, T_min 0.1 and T_max 10 as the
 * paper (the stages switch half-way), w_rbd 1000 as the attention-transfer code. After training
 * the weights become +-1 codes with per-channel scale |alpha * sw| and the activation quantizers a
 * plain sign forward, so that the stored model reproduces the network exactly.
 */
public final class DirNet implements Quantizer {

    @Override
    public String name() {
        return "dirnet";
    }

    @Override
    public List<ParamSpec> params() {
        return KdTraining.params(30, 3e-4,
                ParamSpec.real("w_rbd", 1000, 0, 1e6, "weight of the representation distillation (0: off)"),
                ParamSpec.real("t_min", 0.1, 1e-6, 1e6, "DTE's t at the first epoch"),
                ParamSpec.real("t_max", 10, 1e-6, 1e6, "DTE's t reached at the end of training"),
                ParamSpec.integer("align_samples", 256, 0, 1_000_000,
                        "calibration images for the alignment of each binarized layer's output moments (0: off)"));
    }

    @Override
    public int minBits() {
        return 1;
    }

    @Override
    public Optional<String> unsupportedReason(JsonNode trial) {
        return unsupported(trial.path("wbits").asInt(), trial.path("abits").asInt());
    }

    private static Optional<String> unsupported(int wbits, int abits) {
        return wbits == 1 && abits == 1 ? Optional.empty()
                : Optional.of("dirnet binarizes weights and activations: it needs wbits 1 and abits 1, got W" + wbits
                        + "A" + abits);
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        unsupported(ctx.wbits(), ctx.abits()).ifPresent(reason -> {
            throw new IllegalArgumentException(reason);
        });
        Params p = Params.of(this, ctx.params());
        Dte dte = new Dte(p.getDouble("t_min"), p.getDouble("t_max"));
        List<QLayer> layers = ctx.network().layers();
        List<QLayer> binaryInputs = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Protocol.LayerBits bits = ctx.bits(i);
            if (bits.weight() != 1) {
                Calibration.quantizeWeights(layers.get(i), bits.weight(), false, new MinMaxObserver(), ctx.manager());
            }
            if (bits.activation() == 1) {
                binaryInputs.add(layers.get(i));
            }
        }
        List<BinaryActivations.Learning> binaryActs = BinaryActivations.calibrate(ctx.network(), binaryInputs,
                ctx.calibration(), ctx.batch(), dte, ctx.manager());
        Calibration.calibrateActivations(ctx, new MinMaxObserver(), false);
        List<BinaryWeights> binary = new ArrayList<>();
        List<LsqWeights> lsq = new ArrayList<>();
        List<NDArray> parameters = new ArrayList<>();
        List<NDArray> quantizerParameters = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            QLayer l = layers.get(i);
            if (ctx.bits(i).weight() == 1) {
                BinaryWeights w = new BinaryWeights(l, dte, ctx.manager());
                binary.add(w);
                parameters.addAll(w.parameters());
                quantizerParameters.add(w.alpha());
            } else {
                LsqWeights w = new LsqWeights(l, ctx.manager());
                lsq.add(w);
                parameters.addAll(w.parameters());
                quantizerParameters.add(w.step());
            }
            int act = binaryInputs.indexOf(l);
            if (act >= 0) {
                l.setInputQuantizer(ActQuantizer.of(binaryActs.get(act)));
                quantizerParameters.addAll(binaryActs.get(act).parameters());
            } else if (l.inputQuantizer() != null) {
                quantizerParameters.add(l.inputQuantizer().learnStep(ctx.manager()));
            }
        }
        binary.forEach(BinaryWeights::install);
        lsq.forEach(LsqWeights::install);
        align(ctx, binary, p.getInt("align_samples"));
        double rbdWeight = p.getDouble("w_rbd");
        KdTraining.run(name(), ctx, new KdTraining.Trained(parameters, quantizerParameters) {
            @Override
            public void install() {
                binary.forEach(BinaryWeights::install);
                lsq.forEach(LsqWeights::install);
            }

            @Override
            public NDArray loss(Net net, KdTraining.Batch batch, KdTraining.Settings s) {
                return rbdWeight == 0 ? super.loss(net, batch, s)
                        : distilledRepresentations(net, ctx.teacher(), batch, s, rbdWeight);
            }

            @Override
            public void startEpoch(int epoch, int epochs) {
                dte.startEpoch(epoch, epochs);
            }
        }, KdTraining.Settings.of(p), p.getBool("joint"));
        binary.forEach(w -> w.finish(ctx.manager()));
        lsq.forEach(w -> w.finish(ctx.manager()));
        for (QLayer l : layers) {
            int act = binaryInputs.indexOf(l);
            if (act >= 0) {
                l.setInputQuantizer(ActQuantizer.of(binaryActs.get(act).freeze()));
            } else if (l.inputQuantizer() != null) {
                l.inputQuantizer().freezeStep();
            }
        }
    }

    /**
     * Our addition, in place of the BatchNorm that follows every binary conv in the reference (our
     * student is BN-folded): before training, in forward order, each binarized layer's per-channel
     * magnitude and bias are rescaled so that its outputs, on its own inputs in the partly binarized
     * network, have the mean and standard deviation per output channel of the FP teacher's outputs of
     * that layer on the same first {@code samples} calibration images (y becomes A y + B, A = std_fp /
     * std, B = mean_fp - A mean): alpha becomes A alpha and the bias A bias + B, as a BatchNorm
     * re-estimated on the binarized network would. A least-squares fit instead shrinks A with the
     * layer's correlation to the teacher, which after many binarized layers is near 0 (measured on
     * ResNet-20: explained variance 0.59 at the first binarized layer, 0.01-0.07 in stage 3), and so
     * makes the network's output constant. Without any alignment the binarized activations' other
     * statistics compound over the layers. Each layer's explained variance is reported.
     */
    static void align(QuantizationContext ctx, List<BinaryWeights> binary, int samples) {
        if (samples == 0 || binary.isEmpty()) {
            return;
        }
        ImageSet data = ctx.calibration().head(Math.min(samples, ctx.calibration().count()));
        List<QLayer> student = ctx.network().layers();
        List<QLayer> teacher = ctx.teacher().layers();
        for (BinaryWeights w : binary) {
            QLayer mine = w.layer();
            QLayer theirs = teacher.get(student.indexOf(mine));
            try (NDManager scope = ctx.manager().newSubManager()) {
                NDArray own = outputs(ctx.network(), mine, data, ctx.batch(), scope);
                NDArray target = outputs(ctx.teacher(), theirs, data, ctx.batch(), scope);
                int channels = mine.outChannels();
                NDArray y = own.swapAxes(0, 1).reshape(channels, -1);
                NDArray t = target.swapAxes(0, 1).reshape(channels, -1);
                float[] my = y.mean(new int[] {1}).toFloatArray();
                float[] mt = t.mean(new int[] {1}).toFloatArray();
                float[] yy = y.square().mean(new int[] {1}).toFloatArray();
                float[] yt = y.mul(t).mean(new int[] {1}).toFloatArray();
                float[] tt = t.square().mean(new int[] {1}).toFloatArray();
                float[] scale = new float[channels];
                float[] shift = new float[channels];
                double explained = 0;
                for (int c = 0; c < channels; c++) {
                    double variance = yy[c] - (double) my[c] * my[c];
                    double covariance = yt[c] - (double) my[c] * mt[c];
                    double targetVariance = tt[c] - (double) mt[c] * mt[c];
                    scale[c] = variance > 1e-12 ? (float) Math.sqrt(Math.max(targetVariance, 0) / variance) : 1f;
                    shift[c] = (float) (mt[c] - scale[c] * (double) my[c]);
                    explained += variance > 1e-12 && targetVariance > 1e-12
                            ? covariance * covariance / (variance * targetVariance) : 0;
                }
                w.rescale(scale, shift);
                ctx.progress().message(String.format("dirnet: aligned %s, mean R^2 %.3f of the teacher's outputs",
                        mine.name(), explained / channels));
            }
            w.install();
        }
    }

    /** The outputs of {@code layer} (before any activation) when {@code net} runs on {@code data}. */
    static NDArray outputs(Net net, QLayer layer, ImageSet data, int batch, NDManager into) {
        NDArray inputs = InputCache.inputs(net, layer, data, batch, into);
        return InputCache.outputs(new Segment(layer.name(), List.of(layer), layer::apply), inputs, batch, into);
    }

    /**
     * The KD loss of the student's logits plus {@code weight} times the attention-transfer loss of the
     * outputs of its segments but the first and the last (feature maps only) against the teacher's on
     * the same images, the teacher's computed without gradient.
     */
    static NDArray distilledRepresentations(Net student, Net teacher, KdTraining.Batch batch,
            KdTraining.Settings s, double weight) {
        List<Segment> mine = student.segments();
        List<Segment> theirs = teacher.segments();
        int last = mine.size() - 1;
        NDArray h = batch.images();
        NDArray t = batch.images();
        NDArray rbd = null;
        for (int i = 0; i < last; i++) {
            Segment reference = theirs.get(i);
            NDArray in = t;
            h = mine.get(i).apply(h, false);
            t = Autograd.noGrad(() -> reference.apply(in, false));
            if (i > 0 && h.getShape().dimension() == 4) {
                NDArray term = attention(h).sub(attention(t)).square().mean();
                rbd = rbd == null ? term : rbd.add(term);
            }
        }
        NDArray kd = KdTraining.distillation(mine.get(last).apply(h, false), batch, s);
        return rbd == null ? kd : kd.add(Scalars.mul(rbd, weight));
    }

    /**
     * Attention transfer's map of (N, C, H, W) features: the per-sample mean over channels of x^2,
     * flattened and L2-normalised; (N, H * W).
     */
    static NDArray attention(NDArray x) {
        NDArray a = x.square().mean(new int[] {1}).reshape(x.getShape().get(0), -1);
        return a.div(Scalars.max(a.square().sum(new int[] {1}, true), 1e-24).sqrt());
    }
}

package io.dfq.quant.quantize.ptq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Distillation;
import io.dfq.quant.qcore.LpObserver;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.recon.InputCache;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Mixed-precision weight bit allocation under a budget (the per-layer sensitivity approach of
 * ZeroQ's Pareto frontier, Cai et al., CVPR 2020, as the surveys describe it), paired with any PTQ
 * quantizer. The trial's {@code wbits} is the average budget: the layers the protocol leaves at the
 * trial's bits share sum_l cost_l(wbits), cost being a layer's weight bits times its weight count
 * ({@code budget: size}) or times its multiply-accumulates and its activation bits ({@code bops}).
 *
 * <p>Sensitivity S_l(b): KL(softmax(FP logits) || softmax(logits)) on the first {@code samples}
 * calibration images with only layer l's weights quantized at b bits (Lp search, p 2.4), every other
 * layer and every activation in full precision. Allocation (greedy, as on a Pareto frontier): every
 * layer starts at the largest choice; while the cost exceeds the budget, the layer whose next-lower
 * choice adds the least sensitivity per unit of cost saved steps down. The chosen bits are recorded
 * ({@code mixed_bits_LAYER}, {@code mixed_avg_wbits}) and the {@code inner} quantizer then quantizes
 * the network with them (its parameters from {@code inner_params}, a JSON object).
 */
public final class MixedPrecision implements Quantizer {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "mixed";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.choice("inner", "mse", List.of("minmax", "percentile", "mse", "adaround", "brecq", "qdrop",
                        "genie-m", "pdquant", "aquant", "aac"), "the PTQ quantizer run with the chosen bits"),
                ParamSpec.text("inner_params", "{}", "JSON object of the inner quantizer's parameters (checked at validation)"),
                ParamSpec.text("choices", "2,4,8", "the bit-widths a layer may get, comma separated"),
                ParamSpec.choice("budget", "size", List.of("size", "bops"), "what the average budget limits"),
                ParamSpec.integer("samples", 256, 1, 1_000_000, "calibration images for the sensitivities"));
    }

    @Override
    public Optional<String> unsupportedReason(JsonNode trial) {
        JsonNode node = trial.get("quantizer");
        Params p = Params.of(this, node);
        try {
            int[] choices = choices(p.getString("choices"));
            int wbits = trial.path("wbits").asInt(8);
            if (wbits < choices[0] || wbits > choices[choices.length - 1]) {
                return Optional.of("mixed: the average budget wbits " + wbits + " is outside the choices "
                        + p.getString("choices"));
            }
            Quantizer inner = Quantizer.REGISTRY.get(p.getString("inner"));
            Set<String> known = new TreeSet<>();
            inner.params().forEach(s -> known.add(s.name()));
            for (Iterator<String> it = innerParams(p).fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!known.contains(key)) {
                    return Optional.of("mixed: inner quantizer " + inner.name() + " has no parameter '" + key
                            + "'; valid: " + String.join(", ", known));
                }
            }
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public void quantize(QuantizationContext ctx) throws Exception {
        Params p = Params.of(this, ctx.params());
        int[] choices = choices(p.getString("choices"));
        List<QLayer> layers = ctx.network().layers();
        double[] unit = cost(ctx, p.getString("budget").equals("bops"));
        int[] bits = new int[layers.size()];
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            bits[i] = ctx.bits(i).weight();
            if (ctx.protocol().bits(i, layers.size(), 1, 1).weight() == 1) { // not fixed by the protocol
                free.add(i);
            }
        }
        double[][] sensitivity = sensitivities(ctx, free, choices, p.getInt("samples"));
        double budget = 0;
        double[] cost = new double[free.size()];
        for (int k = 0; k < free.size(); k++) {
            cost[k] = unit[free.get(k)];
            budget += cost[k] * ctx.wbits();
        }
        int[] chosen = allocate(sensitivity, cost, choices, budget);
        long weights = 0;
        double weightedBits = 0;
        for (int k = 0; k < free.size(); k++) {
            QLayer l = layers.get(free.get(k));
            bits[free.get(k)] = chosen[k];
            weights += l.weightCount();
            weightedBits += (double) chosen[k] * l.weightCount();
            ctx.progress().metric("mixed_bits_" + l.name(), chosen[k]);
        }
        ctx.progress().metric("mixed_avg_wbits", weights == 0 ? ctx.wbits() : weightedBits / weights);
        ctx.progress().message("mixed: bits " + Arrays.toString(bits));
        Quantizer inner = Quantizer.REGISTRY.get(p.getString("inner"));
        ObjectNode innerNode = innerParams(p).deepCopy().put("name", inner.name());
        inner.quantize(ctx.withLayerWeightBits(bits, innerNode));
    }

    /**
     * The greedy allocation: index into {@code choices} per layer, all starting at the largest; while
     * sum cost_k * bits_k exceeds {@code budget}, the step down with the least sensitivity increase
     * per unit of cost saved. {@code sensitivity[k][c]} is layer k's sensitivity at choice c.
     */
    static int[] allocate(double[][] sensitivity, double[] cost, int[] choices, double budget) {
        int n = cost.length;
        int[] at = new int[n];
        Arrays.fill(at, choices.length - 1);
        double total = 0;
        for (int k = 0; k < n; k++) {
            total += cost[k] * choices[at[k]];
        }
        while (total > budget + 1e-9) {
            int best = -1;
            double bestRatio = Double.POSITIVE_INFINITY;
            for (int k = 0; k < n; k++) {
                if (at[k] > 0) {
                    double saved = cost[k] * (choices[at[k]] - choices[at[k] - 1]);
                    double ratio = (sensitivity[k][at[k] - 1] - sensitivity[k][at[k]]) / saved;
                    if (ratio < bestRatio) {
                        bestRatio = ratio;
                        best = k;
                    }
                }
            }
            if (best < 0) {
                throw new IllegalArgumentException("mixed: the budget cannot be met even with every layer at "
                        + choices[0] + " bits");
            }
            total -= cost[best] * (choices[at[best]] - choices[at[best] - 1]);
            at[best]--;
        }
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            out[k] = choices[at[k]];
        }
        return out;
    }

    /** S[k][c]: KL of the FP logits against those with only layer {@code free[k]} at {@code choices[c]} bits. */
    private static double[][] sensitivities(QuantizationContext ctx, List<Integer> free, int[] choices, int samples) {
        ImageSet data = ctx.calibration().head(Math.min(samples, ctx.calibration().count()));
        Net net = ctx.network();
        double[][] out = new double[free.size()][choices.length];
        try (NDManager scope = ctx.manager().newSubManager()) {
            NDArray fp = InputCache.logits(net, data, ctx.batch(), scope);
            for (int k = 0; k < free.size(); k++) {
                QLayer l = net.layers().get(free.get(k));
                for (int c = 0; c < choices.length; c++) {
                    try (NDManager step = scope.newSubManager()) {
                        Calibration.quantizeWeights(l, choices[c], false, new LpObserver(2.4), step);
                        NDArray q = InputCache.logits(net, data, ctx.batch(), step);
                        out[k][c] = Distillation.kl(fp, q, 1).getFloat();
                    } finally {
                        l.setQuantizedWeight(null, 0);
                    }
                }
            }
        }
        return out;
    }

    /** Per layer: weight count ({@code size}) or multiply-accumulates times activation bits ({@code bops}). */
    private static double[] cost(QuantizationContext ctx, boolean bops) {
        List<QLayer> layers = ctx.network().layers();
        double[] out = new double[layers.size()];
        long[] macs = bops ? macs(ctx) : null;
        for (int i = 0; i < layers.size(); i++) {
            out[i] = bops ? (double) macs[i] * Math.max(ctx.bits(i).activation(), 1) : layers.get(i).weightCount();
        }
        return out;
    }

    /** Multiply-accumulates of each layer for one image (output elements times weights per output). */
    private static long[] macs(QuantizationContext ctx) {
        List<QLayer> layers = ctx.network().layers();
        long[] out = new long[layers.size()];
        try (NDManager scope = ctx.manager().newSubManager()) {
            for (int i = 0; i < layers.size(); i++) {
                QLayer l = layers.get(i);
                NDArray input = InputCache.inputs(ctx.network(), l, ctx.calibration().head(1), 1, scope);
                long outputs = l.outputShape(input.getShape()).size();
                out[i] = outputs * (l.weightCount() / l.outChannels());
            }
        }
        return out;
    }

    /** The sorted, distinct bit-widths of {@code text} (e.g. "2,4,8"). */
    static int[] choices(String text) {
        try {
            int[] out = Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).sorted()
                    .distinct().toArray();
            if (out.length == 0 || out[0] < 1 || out[out.length - 1] > 8) {
                throw new NumberFormatException();
            }
            return out;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mixed: choices must be bit-widths in [1, 8] separated by commas, got '"
                    + text + "'", e);
        }
    }

    private static ObjectNode innerParams(Params p) {
        try {
            JsonNode node = JSON.readTree(p.getString("inner_params"));
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalArgumentException("mixed: inner_params must be a JSON object");
            }
            return object;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("mixed: inner_params is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}

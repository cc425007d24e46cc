package io.dfq.quant.quantize.ptq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.Segment;
import io.dfq.quant.qcore.ActBorder;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.recon.Reconstruction;
import io.dfq.quant.quantize.recon.Reconstruction.Granularity;
import io.dfq.quant.quantize.recon.Reconstruction.Input;
import io.dfq.quant.quantize.recon.Reconstruction.Leaves;
import io.dfq.quant.quantize.recon.Rounding;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * AQuant (Li et al., "Efficient Adaptive Activation Rounding for Post-Training Quantization", 2022,
 * arXiv 2208.11945): activations round with a learned border that depends on the activation instead
 * of the fixed 0.5, learned by block reconstruction.
 *
 * <p>From the paper's text (its abstract; no code is public): x rounds up iff the fractional part of
 * x / s exceeds a border function B(x); the border is coarse-grained so that inference stays cheap;
 * it is learned in a reconstruction framework. R18 W2A2 60.31.
 *
 * <p>Our reading: the border is linear in the activation's integer part n = floor(x / s), the form
 * that minimizes the product error of one activation with its already rounded weights, with two
 * parameters per input channel ({@link ActBorder}: B_c(n) = clamp(0.5 + kappa_c (n + 0.5) + beta_c,
 * 0, 1), kappa = beta = 0 at the start, i.e. round-to-nearest); every quantized layer input has one.
 * The reconstruction is QDrop's (block-wise, inputs mixed, keep 0.5, AdaRound weights, LSQ activation
 * steps at 4e-5 with cosine decay, 20k iterations, rounding lr 1e-3); kappa and beta learn in the same
 * loop with Adam at {@code border_lr} (1e-3, constant), their gradient through the surrogate
 * sigmoid((f - B) / {@code border_tau}) of the hard decision (forward hard, backward surrogate, tau
 * 0.1 fixed). Once a block is reconstructed its borders are frozen and exported with the model.
 */
public final class AQuant implements Quantizer {

    @Override
    public String name() {
        return "aquant";
    }

    @Override
    public List<ParamSpec> params() {
        List<ParamSpec> out = Rounding.params(20_000, 1e-3);
        out.addAll(Rounding.dropParams());
        out.add(ParamSpec.real("border_lr", 1e-3, 0, 1, "Adam learning rate of the rounding borders"));
        out.add(ParamSpec.real("border_tau", 0.1, 1e-4, 10, "temperature of the borders' sigmoid surrogate"));
        return out;
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        Rounding.initialize(ctx, p);
        double lr = p.getDouble("border_lr");
        double tau = p.getDouble("border_tau");
        new Reconstruction(name(), ctx).run(Rounding.joint(p, Granularity.BLOCK, 0, p.getDouble("act_lr"),
                Input.MIXED, p.getDouble("keep")), null, null, (unit, segment, m) -> borders(segment, lr, tau, m));
    }

    /** Installs a round-to-nearest border on every quantized input of {@code segment}; its leaves. */
    private static Leaves borders(Segment segment, double lr, double tau, NDManager manager) {
        List<NDArray> leaves = new ArrayList<>();
        for (QLayer l : segment.layers()) {
            ActQuantizer q = l.inputQuantizer();
            if (q != null) {
                ActBorder border = new ActBorder(l.inChannels());
                q.setBorder(border);
                leaves.addAll(border.learn(manager, tau));
            }
        }
        return new Leaves(leaves, lr);
    }
}

package io.dfq.quant.quantize.ptq;

import io.dfq.quant.qcore.LpObserver;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.recon.BetaSchedule;
import io.dfq.quant.quantize.recon.Reconstruction;
import io.dfq.quant.quantize.recon.Reconstruction.Granularity;
import io.dfq.quant.quantize.recon.Reconstruction.Input;
import io.dfq.quant.quantize.recon.Reconstruction.Pass;
import io.dfq.quant.quantize.recon.Rounding;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;

/**
 * BRECQ (Li et al., "BRECQ: Pushing the Limit of Post-Training Quantization by Block
 * Reconstruction", ICLR 2021): AdaRound with the reconstruction error of a whole block (stem,
 * residual or inverted-residual block, head; a single layer where no block exists), blocks in
 * forward order on the quantized network's inputs, activations unquantized (20k iterations); then
 * the activation ranges are searched again on the reconstructed weights and a second pass over the
 * blocks learns the LSQ activation steps with the weights fixed, on the FP network's inputs (5k
 * iterations, Adam lr 4e-4 with cosine decay, error norm 2.4), as the reference code does.
 */
public final class Brecq implements Quantizer {

    @Override
    public String name() {
        return "brecq";
    }

    @Override
    public List<ParamSpec> params() {
        List<ParamSpec> out = Rounding.params(20_000, 1e-3);
        out.add(ParamSpec.integer("act_iters", 5_000, 0, 1_000_000, "activation-step iterations per block"));
        out.add(ParamSpec.real("act_lr", 4e-4, 0, 1, "Adam learning rate of the activation steps (cosine decay)"));
        out.add(ParamSpec.real("act_rec_p", 2.4, 1, 10, "norm of the reconstruction error in the activation pass"));
        return out;
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        Rounding.initialize(ctx, p);
        Reconstruction recon = new Reconstruction(name(), ctx);
        recon.run(Rounding.weights(p, Granularity.BLOCK));
        Calibration.calibrateActivations(ctx, new LpObserver(p.getDouble("act_p")), false);
        int actIters = p.getInt("act_iters");
        if (actIters > 0) {
            recon.run(new Pass(Granularity.BLOCK, actIters, p.getInt("batch"), 0, new BetaSchedule(actIters, 0, 1, 1),
                    p.getDouble("act_rec_p"), 0, 0, p.getDouble("act_lr"), true, Input.FP, 1));
        }
    }
}

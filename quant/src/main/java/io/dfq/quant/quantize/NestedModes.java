package io.dfq.quant.quantize;

import java.util.List;

/**
 * The bit-width modes of a nested quantization (one set of integer weights that runs at several
 * bit-widths, e.g. once-qat): a quantizer that trains one declares them, the trial's own first, each
 * with a way to switch the network into it. The pipeline evaluates and exports every further mode
 * after the trial's own, and each becomes a result of its own. Quantizers that declare nothing
 * produce one network, as usual.
 */
public final class NestedModes {

    /**
     * One mode.
     *
     * @param wbits its weight bits (the layers the protocol keeps at 8 bits keep them)
     * @param abits its activation bits
     * @param install switches the network into this mode
     */
    public record Mode(int wbits, int abits, Runnable install) {

        /** {@code w4a4}: names the mode's result and its exported model. */
        public String name() {
            return "w" + wbits + "a" + abits;
        }
    }

    private List<Mode> modes = List.of();

    /** Declares the modes, the trial's own first; the network must be in that one. */
    public void declare(List<Mode> all) {
        if (!modes.isEmpty()) {
            throw new IllegalStateException("nested modes already declared");
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no modes to declare");
        }
        modes = List.copyOf(all);
    }

    /** The modes besides the trial's own, in declaration order; empty when none were declared. */
    public List<Mode> nested() {
        return modes.isEmpty() ? List.of() : modes.subList(1, modes.size());
    }

    /** Switches the network back into the trial's own mode (nothing when none were declared). */
    public void restoreOwn() {
        if (!modes.isEmpty()) {
            modes.get(0).install().run();
        }
    }
}

package io.dfq.quant.qcore;

/**
 * Which layers run at the trial's bit-widths (methods.md section 1). Results under the two
 * conventions differ by up to 30 points, so every result records its protocol.
 */
public enum Protocol {
    /** Every layer at WxAy, the network input quantized too (QAT-ZSQ line: GDFQ, Qimera...). */
    ALL_LAYERS("all-layers"),
    /** First conv and last linear at 8 bits, network input not quantized (PTQ line). */
    FIRST_LAST_8BIT("first-last-8bit");

    private final String id;

    Protocol(String id) {
        this.id = id;
    }

    /** The name used in recipes and results. */
    public String id() {
        return id;
    }

    /** The protocol called {@code id}. */
    public static Protocol of(String id) {
        for (Protocol p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + id + "'; valid: all-layers, first-last-8bit");
    }

    /** Weight and input-activation bits of a layer; activation bits 0 = input not quantized. */
    public record LayerBits(int weight, int activation) {}

    /** The bits of layer {@code index} of {@code count} (forward order). */
    public LayerBits bits(int index, int count, int wbits, int abits) {
        if (this == ALL_LAYERS) {
            return new LayerBits(wbits, abits);
        }
        if (index == 0) {
            return new LayerBits(8, 0);
        }
        return index == count - 1 ? new LayerBits(8, 8) : new LayerBits(wbits, abits);
    }
}

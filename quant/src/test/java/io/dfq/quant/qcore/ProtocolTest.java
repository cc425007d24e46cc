package io.dfq.quant.qcore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dfq.quant.qcore.Protocol.LayerBits;
import org.junit.jupiter.api.Test;

class ProtocolTest {

    @Test
    void allLayersQuantizesEveryLayerAtTheTrialBits() {
        Protocol p = Protocol.ALL_LAYERS;
        assertThat(p.bits(0, 5, 4, 2)).isEqualTo(new LayerBits(4, 2));
        assertThat(p.bits(2, 5, 4, 2)).isEqualTo(new LayerBits(4, 2));
        assertThat(p.bits(4, 5, 4, 2)).isEqualTo(new LayerBits(4, 2));
    }

    @Test
    void firstLastEightBitKeepsEndsAtEightBitsAndTheInputUnquantized() {
        Protocol p = Protocol.FIRST_LAST_8BIT;
        // first conv: 8-bit weights, network input not quantized (activation bits 0)
        assertThat(p.bits(0, 5, 4, 2)).isEqualTo(new LayerBits(8, 0));
        assertThat(p.bits(1, 5, 4, 2)).isEqualTo(new LayerBits(4, 2));
        assertThat(p.bits(3, 5, 4, 2)).isEqualTo(new LayerBits(4, 2));
        // last linear: 8-bit weights and 8-bit input
        assertThat(p.bits(4, 5, 4, 2)).isEqualTo(new LayerBits(8, 8));
    }

    @Test
    void protocolsAreFoundByTheirRecipeId() {
        assertThat(Protocol.of("all-layers")).isEqualTo(Protocol.ALL_LAYERS);
        assertThat(Protocol.of("first-last-8bit")).isEqualTo(Protocol.FIRST_LAST_8BIT);
        assertThat(Protocol.FIRST_LAST_8BIT.id()).isEqualTo("first-last-8bit");
        assertThatThrownBy(() -> Protocol.of("w8a8"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("w8a8")
                .hasMessageContaining("all-layers, first-last-8bit");
    }
}

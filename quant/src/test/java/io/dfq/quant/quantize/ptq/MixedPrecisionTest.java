package io.dfq.quant.quantize.ptq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.quantize.QuantFixture;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MixedPrecisionTest {

    private static final double[][] SENSITIVITY = {{0.5, 0.1, 0.0}, {0.9, 0.05, 0.0}};
    private static final double[] COST = {100, 10};
    private static final int[] CHOICES = {2, 4, 8};

    @Test
    void greedyAllocationStepsDownTheCheapestSensitivityPerSavedBitUntilTheBudgetHolds() {
        // start 8/8: 880. Layer 0 8 -> 4 adds 0.1 for 400 saved (2.5e-4), layer 1 adds 0.05 for 40 (1.25e-3):
        // layer 0 -> 480; then layer 0 4 -> 2 costs 0.4 / 200 = 2e-3, layer 1 8 -> 4 1.25e-3: layer 1 -> 440
        assertThat(MixedPrecision.allocate(SENSITIVITY, COST, CHOICES, 440)).containsExactly(4, 4);
        // a budget of 300 then takes layer 0 to 2 (2e-3 against layer 1's 0.85 / 20): 240
        assertThat(MixedPrecision.allocate(SENSITIVITY, COST, CHOICES, 300)).containsExactly(2, 4);
        assertThat(MixedPrecision.allocate(SENSITIVITY, COST, CHOICES, 1000)).containsExactly(8, 8);
        assertThatThrownBy(() -> MixedPrecision.allocate(SENSITIVITY, COST, CHOICES, 100))
                .hasMessageContaining("even with every layer at 2 bits");
    }

    @Test
    void choicesAndInnerParametersAreValidatedUpFront() {
        MixedPrecision mixed = new MixedPrecision();
        assertThat(mixed.unsupportedReason(trial(3, QuantFixture.params("mixed")))).isEmpty();
        assertThat(mixed.unsupportedReason(trial(3, QuantFixture.params("mixed", "choices", "2,x"))))
                .hasValueSatisfying(r -> assertThat(r).contains("choices must be bit-widths"));
        assertThat(mixed.unsupportedReason(trial(1, QuantFixture.params("mixed"))))
                .hasValueSatisfying(r -> assertThat(r).contains("budget wbits 1 is outside the choices 2,4,8"));
        assertThat(mixed.unsupportedReason(trial(3, QuantFixture.params("mixed", "inner", "brecq",
                "inner_params", "{\"iterz\": 5}"))))
                .hasValueSatisfying(r -> assertThat(r).contains("brecq has no parameter 'iterz'"));
    }

    private static ObjectNode trial(int wbits, ObjectNode quantizer) {
        ObjectNode t = QuantFixture.JSON.createObjectNode().put("wbits", wbits);
        t.set("quantizer", quantizer);
        return t;
    }

    @Test
    void theAverageWeightBitsStayWithinTheBudgetAndTheInnerQuantizerUsesThem() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Net teacher = QuantFixture.net("resnet8", 3, m);
            QuantizationContext base = QuantFixture.context("resnet8", 3, teacher, QuantFixture.images(32, 1),
                    QuantFixture.params("mixed", "samples", 16, "inner", "adaround", "inner_params",
                            "{\"iters\": 3, \"batch\": 8}"), 3, 8, m);
            Map<String, Double> metrics = new TreeMap<>();
            QuantizationContext ctx = QuantFixture.recording(base, metrics);
            Quantizer.REGISTRY.get("mixed").quantize(ctx);
            List<QLayer> layers = ctx.network().layers();
            assertThat(layers.get(0).weightBits()).isEqualTo(8);
            assertThat(layers.get(layers.size() - 1).weightBits()).isEqualTo(8);
            long weights = 0;
            double bits = 0;
            for (QLayer l : layers.subList(1, layers.size() - 1)) {
                assertThat(l.weightBits()).isIn(2, 4, 8);
                assertThat(l.quantized()).isNotNull();
                assertThat(metrics.get("mixed_bits_" + l.name())).isEqualTo(l.weightBits());
                weights += l.weightCount();
                bits += (double) l.weightBits() * l.weightCount();
            }
            assertThat(bits / weights).isLessThanOrEqualTo(3.0).isEqualTo(metrics.get("mixed_avg_wbits"));
            // some layers above and some below the average: a real allocation, not a uniform one
            assertThat(layers.subList(1, layers.size() - 1)).extracting(QLayer::weightBits).contains(2).containsAnyOf(4, 8);
        }
    }
}

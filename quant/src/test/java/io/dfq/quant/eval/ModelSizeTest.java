package io.dfq.quant.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.qcore.Protocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LeNet-5 at width 0.5 on 1x28x28: conv1 1->3 (5x5, pad 2, 28x28 -> pool 14x14), conv2 3->8 (5x5 -> 10x10
 * -> pool 5x5), fc1 200->60, fc2 60->42, fc3 42->10 (channels round(6, 16, 120, 84 x 0.5)).
 */
class ModelSizeTest {

    private static NDManager manager;
    private static Net net;

    @BeforeAll
    static void build() {
        manager = NDManager.newBaseManager();
        net = Models.build("lenet5", 0.5, 1, 10, 0);
        net.init(manager, new Shape(1, 28, 28));
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Marks every layer quantized at the protocol's bits (the weights themselves do not matter here). */
    private static Net at(Protocol protocol, int wbits) {
        for (int i = 0; i < net.layers().size(); i++) {
            QLayer l = net.layers().get(i);
            l.setQuantizedWeight(l.weight(), protocol.bits(i, net.layers().size(), wbits, wbits).weight());
        }
        return net;
    }

    @Test
    void layerSizesAreAsDerivedByHand() {
        // weights: 3*1*25 = 75; 8*3*25 = 600; 60*8*5*5 = 12000; 42*60 = 2520; 10*42 = 420
        assertThat(net.layers()).extracting(QLayer::weightCount).containsExactly(75L, 600L, 12000L, 2520L, 420L);
        assertThat(net.layers()).extracting(QLayer::outChannels).containsExactly(3, 8, 60, 42, 10);
    }

    @Test
    void fp32SizeIsFourBytesPerWeightAndBias() {
        // weights 75 + 600 + 12000 + 2520 + 420 = 15615; biases 3 + 8 + 60 + 42 + 10 = 123; 15738 * 4 = 62952
        assertThat(net.parameterCount()).isEqualTo(15738);
        assertThat(ModelSize.fp32(net)).isEqualTo(62952);
    }

    @Test
    void firstLastEightBitPacksMiddleLayersAtTheTrialBits() {
        // per layer: ceil(weights * bits / 8) + outChannels * (4 scale + 1 zero point + 4 bias)
        // conv1 8 bit: 75 + 3*9 = 102; conv2 4 bit: ceil(2400/8) = 300 + 72 = 372;
        // fc1 4 bit: 6000 + 540 = 6540; fc2 4 bit: 1260 + 378 = 1638; fc3 8 bit: 420 + 90 = 510 -> 9162
        assertThat(ModelSize.quantized(at(Protocol.FIRST_LAST_8BIT, 4))).isEqualTo(9162);
    }

    @Test
    void allLayersRoundsPartialBytesUp() {
        // conv1 4 bit: 75 * 4 = 300 bits = 37.5 bytes -> 38, + 27 = 65; fc3 4 bit: 210 + 90 = 300
        // 65 + 372 + 6540 + 1638 + 300 = 8915
        assertThat(ModelSize.quantized(at(Protocol.ALL_LAYERS, 4))).isEqualTo(8915);
        // 2 bit: conv1 ceil(150/8) = 19 + 27 = 46; conv2 150 + 72 = 222; fc1 3000 + 540 = 3540;
        // fc2 630 + 378 = 1008; fc3 105 + 90 = 195 -> 5011
        assertThat(ModelSize.quantized(at(Protocol.ALL_LAYERS, 2))).isEqualTo(5011);
    }

    @Test
    void mixedBitsPerLayerAndFp32LayersCountAsInstalled() {
        at(Protocol.ALL_LAYERS, 2);
        net.layers().get(1).setQuantizedWeight(net.layers().get(1).weight(), 8); // conv2 8 bit: 600 + 72
        net.layers().get(4).setQuantizedWeight(null, 0); // fc3 FP32: (420 + 10) * 4 = 1720
        // 46 + 672 + 3540 + 1008 + 1720
        assertThat(ModelSize.quantized(net)).isEqualTo(6986);
    }
}

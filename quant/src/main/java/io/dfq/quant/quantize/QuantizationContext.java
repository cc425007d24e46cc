package io.dfq.quant.quantize;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.generate.LiveGenerator;
import io.dfq.quant.model.Net;
import io.dfq.quant.pipeline.ProgressListener;
import io.dfq.quant.qcore.Protocol;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything a quantizer may use.
 *
 * @param network the BN-folded FP32 copy of the teacher, quantized in place
 * @param teacher the FP32 teacher (unfolded), for methods that reconstruct against it
 * @param calibration the calibration images (synthetic or real)
 * @param params the resolved quantizer node ({@code name} plus every parameter)
 * @param wbits weight bits of the trial
 * @param abits activation bits of the trial
 * @param protocol which layers stay at 8 bits
 * @param batch calibration batch size
 * @param seed the trial seed
 * @param manager owner of the quantized weights; lives as long as the network
 * @param progress where progress lines (and the stage's metrics) go
 * @param layerWeightBits per-layer weight bits replacing the protocol's (mixed precision), or null
 * @param liveGenerator the calibration set's generator, resumed to keep training alongside a QAT
 *     student (GDFQ, Qimera); empty for other data. Called at most once; the caller closes the result
 */
public record QuantizationContext(
        Net network,
        Net teacher,
        ImageSet calibration,
        JsonNode params,
        int wbits,
        int abits,
        Protocol protocol,
        int batch,
        long seed,
        NDManager manager,
        ProgressListener progress,
        int[] layerWeightBits,
        Supplier<Optional<LiveGenerator>> liveGenerator,
        NestedModes nested) {

    /** A context whose bit-widths all come from the protocol. */
    public QuantizationContext(Net network, Net teacher, ImageSet calibration, JsonNode params, int wbits, int abits,
            Protocol protocol, int batch, long seed, NDManager manager, ProgressListener progress) {
        this(network, teacher, calibration, params, wbits, abits, protocol, batch, seed, manager, progress, null,
                Optional::empty, new NestedModes());
    }

    /** Weight and input-activation bits of layer {@code index}. */
    public Protocol.LayerBits bits(int index) {
        Protocol.LayerBits p = protocol.bits(index, network.layers().size(), wbits, abits);
        return layerWeightBits == null ? p : new Protocol.LayerBits(layerWeightBits[index], p.activation());
    }

    /** This context with the given per-layer weight bits and quantizer parameters. */
    public QuantizationContext withLayerWeightBits(int[] bits, JsonNode quantizerParams) {
        if (bits.length != network.layers().size()) {
            throw new IllegalArgumentException(bits.length + " bit-widths for " + network.layers().size() + " layers");
        }
        return new QuantizationContext(network, teacher, calibration, quantizerParams, wbits, abits, protocol, batch,
                seed, manager, progress, bits.clone(), liveGenerator, nested);
    }

    /** This context with {@code generator} as its live generator. */
    public QuantizationContext withLiveGenerator(Supplier<Optional<LiveGenerator>> generator) {
        return new QuantizationContext(network, teacher, calibration, params, wbits, abits, protocol, batch, seed,
                manager, progress, layerWeightBits, generator, nested);
    }

    /** This context at {@code wbits} and {@code abits} (one mode of a nested quantizer). */
    public QuantizationContext withBits(int wbits, int abits) {
        return new QuantizationContext(network, teacher, calibration, params, wbits, abits, protocol, batch, seed,
                manager, progress, layerWeightBits, liveGenerator, nested);
    }
}

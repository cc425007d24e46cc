package io.dfq.quant.quantize;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.pipeline.ProgressListener;
import io.dfq.quant.qcore.Protocol;

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
 * @param progress where progress lines go
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
        ProgressListener progress) {}

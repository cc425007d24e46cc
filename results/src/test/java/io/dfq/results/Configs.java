package io.dfq.results;

import java.util.Locale;
import java.util.Map;

/** Resolved trial configs and results in the shape the pipeline produces, for tests. */
final class Configs {

    private Configs() {}

    /** A config as the orchestrator resolves it, varying the values tests care about. */
    static String config(String generator, String quantizer, int bits, int seed) {
        return config(generator, 500, quantizer, bits, seed);
    }

    static String config(String generator, int iters, String quantizer, int bits, int seed) {
        return String.format(Locale.ROOT, """
                {"abits":%d,"calib":{"batch":64,"samples":256},"dataset":"fashion-mnist",\
                "eval":{"batch":100,"limit":null},"generator":{"name":"%s","iters":%d,"lr":0.5},\
                "protocol":"first-last-8bit","quantizer":{"name":"%s","p":2.4},"seed":%d,\
                "teacher":{"model":"resnet8","width":0.5,"epochs":2,"seed":0},"wbits":%d}""",
                bits, generator, iters, quantizer, seed, bits);
    }

    static NewTrial trial(String key, String generator, String quantizer, int bits, int seed) {
        return new NewTrial(key, "fmnist", config(generator, quantizer, bits, seed));
    }

    static TrialResult result(double top1, double fp32, double agreement, double sizeBytes) {
        return new TrialResult(
                Map.of("top1", top1, "fp32_top1", fp32, "agreement", agreement,
                        "size_bytes", sizeBytes),
                Map.of("teacher", 1.5, "synthesis", 10.0, "quantize", 2.0, "evaluate", 0.5),
                Map.of("model", "quantized/" + (int) top1 + ".params"));
    }
}

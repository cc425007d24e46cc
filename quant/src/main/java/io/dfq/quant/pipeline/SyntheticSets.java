package io.dfq.quant.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.artifact.ArtifactStore;
import io.dfq.quant.data.Datasets;
import io.dfq.quant.data.ImageFiles;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.eval.SampleGrid;
import io.dfq.quant.generate.BnStatistics;
import io.dfq.quant.generate.GenerationContext;
import io.dfq.quant.generate.Generator;
import io.dfq.quant.generate.SyntheticSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.pipeline.Teachers.Teacher;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The synthetic-set cache: one set per (teacher, generator with its parameters, size, seed), shared
 * by every quantizer and bit-width; concurrent trials needing the same set wait for one synthesis
 * (the artifact store's single flight). Each set is stored with its generator's statistics, the
 * teacher's view of it (confidence, entropy, predicted-class histogram, BN-statistics distance) and
 * a PNG grid of samples.
 */
public final class SyntheticSets {

    /** Artifact kind. */
    public static final String KIND = "synthetic";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ArtifactStore store;

    public SyntheticSets(ArtifactStore store) {
        this.store = store;
    }

    /** A calibration set and where it is stored. */
    public record Calibration(ImageSet images, String key, Path dir, boolean generated, Map<String, Double> stats) {}

    /** The key of a synthetic set. */
    public static String key(String teacherKey, JsonNode generator, int samples, long seed) {
        ObjectNode n = JSON.createObjectNode();
        n.put("teacher", teacherKey);
        n.set("generator", generator);
        n.put("samples", samples);
        n.put("seed", seed);
        return Keys.of(n);
    }

    /** Loads or makes the calibration set of a trial. */
    public Calibration obtain(TrialConfig cfg, Teacher teacher, Datasets.Splits data, NDManager manager,
            ProgressListener progress) throws Exception {
        Generator generator = Generator.REGISTRY.get(TrialConfig.methodName(cfg.generator()));
        String key = key(teacher.key(), cfg.generator(), cfg.calibSamples(), cfg.seed());
        ArtifactStore.Obtained got = store.obtain(KIND, key, dir -> {
            long start = System.nanoTime();
            try (NDManager scope = manager.newSubManager()) {
                GenerationContext ctx = new GenerationContext(teacher.net(), cfg.generator(), cfg.calibSamples(),
                        data.train().imageShape(), cfg.seed(), data::train, scope, progress);
                SyntheticSet set = generator.generate(ctx);
                Map<String, Double> stats = new HashMap<>(set.stats());
                stats.put("seconds", (System.nanoTime() - start) / 1e9);
                stats.putAll(describe(teacher.net(), set.images(), cfg.calibBatch(), scope));
                ImageFiles.write(set.images(), dir.resolve("images.bin"));
                ObjectNode meta = JSON.createObjectNode();
                meta.set("generator", cfg.generator());
                meta.put("teacher", teacher.key());
                meta.set("stats", JSON.valueToTree(stats));
                JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("meta.json").toFile(), meta);
                SampleGrid.write(set.images(), firstIndices(set.images().count(), 80), 10, 8, dir.resolve("grid.png"));
            }
        });
        ImageSet images = ImageFiles.read(got.dir().resolve("images.bin"));
        JsonNode stats = JSON.readTree(got.dir().resolve("meta.json").toFile()).path("stats");
        Map<String, Double> values = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : stats.properties()) {
            values.put(e.getKey(), e.getValue().asDouble());
        }
        return new Calibration(images, key, got.dir(), got.computed(), values);
    }

    private static int[] firstIndices(int count, int max) {
        int[] idx = new int[Math.min(count, max)];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /**
     * The teacher's view of a set: mean max-softmax confidence, mean predictive entropy (nats),
     * predicted-class histogram, and (for BN models) the ZeroQ BN-statistics distance averaged over
     * batches.
     */
    static Map<String, Double> describe(Net teacher, ImageSet images, int batch, NDManager manager) {
        double confidence = 0;
        double entropy = 0;
        double bnDistance = 0;
        int batches = 0;
        int[] hist = new int[10];
        try (BnStatistics taps = new BnStatistics(teacher)) {
            for (int from = 0; from < images.count(); from += batch) {
                int to = Math.min(images.count(), from + batch);
                try (NDManager scope = manager.newSubManager(); NDScope temps = new NDScope()) {
                    temps.suppressNotUsedWarning();
                    taps.clear();
                    NDArray x = images.batch(scope, from, to);
                    NDArray prob = Autograd.noGrad(() -> teacher.logits(x, false)).softmax(1);
                    confidence += prob.max(new int[] {1}).sum().getFloat();
                    entropy += prob.mul(prob.add(1e-12f).log()).sum().neg().getFloat();
                    for (long c : prob.argMax(1).toLongArray()) {
                        hist[(int) c]++;
                    }
                    if (!taps.layers().isEmpty()) {
                        bnDistance += taps.meanStdDistance().getFloat();
                    }
                    batches++;
                }
            }
        }
        Map<String, Double> out = new HashMap<>();
        out.put("teacher_confidence", confidence / images.count());
        out.put("teacher_entropy", entropy / images.count());
        if (teacher.hasBatchNorm()) {
            out.put("bn_distance", bnDistance / batches);
        }
        for (int c = 0; c < hist.length; c++) {
            out.put("class_" + c, (double) hist[c]);
        }
        return out;
    }
}

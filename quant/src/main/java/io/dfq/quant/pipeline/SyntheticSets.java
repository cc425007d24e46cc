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
import io.dfq.quant.generate.BatchCheckpoints;
import io.dfq.quant.generate.BnStatistics;
import io.dfq.quant.generate.GenerationContext;
import io.dfq.quant.generate.Generator;
import io.dfq.quant.generate.SyntheticSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.pipeline.Teachers.Teacher;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The synthetic-set cache: one set per (teacher, generator with its parameters, size, seed), shared
 * by every quantizer and bit-width; concurrent trials needing the same set wait for one synthesis
 * (the artifact store's single flight). Each set is stored with its generator's statistics, the
 * teacher's view of it (confidence, entropy, predicted-class histogram, BN-statistics distance) and
 * a PNG grid of samples. A batch-wise generator keeps its finished batches under {@code
 * checkpoints/synthetic/KEY} until the set is stored, so a killed synthesis resumes after its last
 * finished batch.
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
    public record Calibration(ImageSet images, String key, Path dir, boolean generated, Map<String, Double> stats) {

        /** The parameters of the generator that made the set, or empty when none was kept. */
        public List<float[]> generatorState() throws IOException {
            Path file = dir.resolve(STATE);
            return Files.exists(file) ? readState(file) : List.of();
        }
    }

    /** The file holding a trained generator's parameters next to its images. */
    static final String STATE = "generator.bin";

    static void writeState(List<float[]> state, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(state.size());
            for (float[] a : state) {
                out.writeInt(a.length);
                for (float v : a) {
                    out.writeFloat(v);
                }
            }
        }
    }

    static List<float[]> readState(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            List<float[]> out = new ArrayList<>();
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                float[] a = new float[in.readInt()];
                for (int j = 0; j < a.length; j++) {
                    a[j] = in.readFloat();
                }
                out.add(a);
            }
            return out;
        }
    }

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
        BatchCheckpoints checkpoints = BatchCheckpoints.in(store.root().resolve("checkpoints").resolve(KIND).resolve(key));
        ArtifactStore.Obtained got = store.obtain(KIND, key, dir -> {
            long start = System.nanoTime();
            int resumed = checkpoints.count();
            if (resumed > 0) {
                progress.message(String.format("resuming synthesis: %d finished batches on disk", resumed));
            }
            try (NDManager scope = manager.newSubManager()) {
                GenerationContext ctx = new GenerationContext(teacher.net(), cfg.generator(), cfg.calibSamples(),
                        data.train().imageShape(), cfg.seed(), data::train, scope, progress, checkpoints);
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
                writeGrid(set.images(), dir.resolve("grid.png"));
                if (!set.generatorState().isEmpty()) {
                    writeState(set.generatorState(), dir.resolve(STATE));
                }
            }
        });
        if (got.computed()) {
            checkpoints.clear();
        }
        ImageSet images = ImageFiles.read(got.dir().resolve("images.bin"));
        JsonNode stats = JSON.readTree(got.dir().resolve("meta.json").toFile()).path("stats");
        Map<String, Double> values = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : stats.properties()) {
            values.put(e.getKey(), e.getValue().asDouble());
        }
        return new Calibration(images, key, got.dir(), got.computed(), values);
    }

    /**
     * Class-conditional sets: row c holds up to 8 images of class c (in set order); others: the
     * first 80 images, 10 per row.
     */
    static void writeGrid(ImageSet images, Path png) throws IOException {
        int cols = images.hasLabels() ? 8 : 10;
        List<Integer> order = new ArrayList<>();
        if (images.hasLabels()) {
            for (int c = 0; c < 10; c++) {
                int row = 0;
                for (int i = 0; i < images.count() && row < cols; i++) {
                    if (images.label(i) == c) {
                        order.add(i);
                        row++;
                    }
                }
                for (; row < cols; row++) {
                    order.add(-1);
                }
            }
        } else {
            for (int i = 0; i < Math.min(images.count(), 80); i++) {
                order.add(i);
            }
        }
        int rows = Math.max(1, (order.size() + cols - 1) / cols);
        SampleGrid.write(images, order.stream().mapToInt(Integer::intValue).toArray(), cols, rows, png);
    }

    /**
     * The teacher's view of a set: mean max-softmax confidence, mean predictive entropy (nats),
     * predicted-class histogram, diversity (mean pairwise cosine distance of the teacher's
     * penultimate features, over at most the first 512 images), and (for BN models) the ZeroQ
     * BN-statistics distance averaged over batches.
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
        out.put("diversity", diversity(teacher, images.head(512), batch, manager));
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

    /** Mean cosine distance between the penultimate features of every pair of distinct images. */
    static double diversity(Net teacher, ImageSet images, int batch, NDManager manager) {
        int n = images.count();
        if (n < 2) {
            return 0;
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray all = null;
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                NDArray x = images.batch(scope, from, to);
                NDArray f = Autograd.noGrad(() -> teacher.features(x, false));
                all = all == null ? f : all.concat(f, 0);
            }
            NDArray norm = all.norm(new int[] {1}, true).add(1e-12f);
            NDArray unit = all.div(norm);
            double sumCos = unit.matMul(unit.transpose()).sum().getFloat() - n; // minus the diagonal
            return 1 - sumCos / ((double) n * (n - 1));
        }
    }
}

package io.dfq.quant.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.artifact.ArtifactStore;
import io.dfq.quant.data.Datasets;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.eval.Evaluator;
import io.dfq.quant.eval.ModelSize;
import io.dfq.quant.eval.ProcessMemory;
import io.dfq.quant.generate.GenerationContext;
import io.dfq.quant.generate.Generator;
import io.dfq.quant.generate.LiveGenerator;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.pipeline.SyntheticSets.Calibration;
import io.dfq.quant.pipeline.Teachers.Teacher;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.QuantizedModel;
import io.dfq.quant.quantize.Quantizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One trial, top to bottom: teacher (cached) -> calibration data (cached) -> quantization ->
 * evaluation, each stage timed. All native memory of a trial lives on one manager closed at its
 * end, so a long sweep does not grow the process; that manager's device is the pipeline's, so a
 * pipeline per worker slot pins each slot to its own GPU (or to the CPU) while every stage below
 * stays device-agnostic.
 */
public final class Pipeline implements TrialRunner {

    /** Artifact kind of the quantized models, one per trial key. */
    public static final String QUANTIZED = "quantized";

    /** The quantized model's file in its artifact directory. */
    public static final String MODEL_FILE = "model.dfqm";

    private final ArtifactStore artifacts;
    private final Teachers teachers;
    private final SyntheticSets syntheticSets;
    private final Path dataDir;
    private final Device device;

    /**
     * A pipeline on the engine's default device (a GPU when the engine sees one).
     *
     * @param artifacts where teachers and synthetic sets are cached and quantized models stored
     * @param dataDir the data directory override, or null for $DFQ_DATA_DIR / the Debian location
     */
    public Pipeline(ArtifactStore artifacts, Path dataDir) {
        this(artifacts, dataDir, null);
    }

    /**
     * A pipeline whose trials run on {@code device} ({@code Device.cpu()}, {@code Device.gpu(i)}),
     * or on the engine's default device when it is null.
     */
    public Pipeline(ArtifactStore artifacts, Path dataDir, Device device) {
        this.artifacts = artifacts;
        this.teachers = new Teachers(artifacts);
        this.syntheticSets = new SyntheticSets(artifacts);
        this.dataDir = dataDir;
        this.device = device;
    }

    @Override
    public TrialOutcome run(TrialSpec spec, ProgressListener progress) throws Exception {
        TrialConfig cfg = TrialConfig.from(spec.config());
        Stages stages = new Stages(progress);
        try (NDManager manager = NDManager.newBaseManager(device); Autograd recordingOff = Autograd.off()) {
            Datasets.Splits data = Datasets.load(cfg.dataset(), Datasets.resolveDir(cfg.dataset(), dataDir));
            Teacher teacher = stages.run("teacher", () -> teachers.obtain(cfg.teacher(), data, manager, progress));
            Calibration calib = stages.run("synthesis", () -> syntheticSets.obtain(cfg, teacher, data, manager, progress));
            Map<String, Double> measured = new HashMap<>();
            Net student = stages.run("quantization",
                    () -> quantize(spec.key(), cfg, teacher, data, calib, manager, collecting(progress, measured)));
            Map<String, Double> metrics = stages.run("evaluation", () -> evaluate(cfg, student, teacher, data.test(), manager));
            metrics.putAll(measured);
            metrics.put("teacher_cached", teacher.trained() ? 0.0 : 1.0);
            metrics.put("synthesis_cached", calib.generated() ? 0.0 : 1.0);
            calib.stats().forEach((k, v) -> metrics.put("synthesis_" + k, v));
            metrics.put("rss_mb", (double) ProcessMemory.currentMb());
            Path root = teacher.dir().getParent().getParent();
            return new TrialOutcome(metrics, stages.seconds(), Map.of(
                    "teacher", root.relativize(teacher.dir()).toString(),
                    "synthetic", root.relativize(calib.dir()).toString(),
                    "sample_grid", root.relativize(calib.dir().resolve("grid.png")).toString(),
                    "quantized_model", root.relativize(artifacts.dir(QUANTIZED, spec.key()).resolve(MODEL_FILE)).toString()));
        }
    }

    private Net quantize(String key, TrialConfig cfg, Teacher teacher, Datasets.Splits data, Calibration calib,
            NDManager manager, ProgressListener progress) throws Exception {
        Net student = Teachers.load(cfg.teacher(), teacher.dir(), data, manager);
        student.fold();
        Quantizer quantizer = Quantizer.REGISTRY.get(TrialConfig.methodName(cfg.quantizer()));
        Generator generator = Generator.REGISTRY.get(TrialConfig.methodName(cfg.generator()));
        QuantizationContext ctx = new QuantizationContext(student, teacher.net(), calib.images(), cfg.quantizer(),
                cfg.wbits(), cfg.abits(), cfg.protocol(), cfg.calibBatch(), cfg.seed(), manager, progress)
                .withLiveGenerator(() -> resume(generator, cfg, teacher, calib, data, manager, progress));
        quantizer.quantize(ctx);
        export(key, cfg, student, data);
        return student;
    }

    /** The generator that made {@code calib}, resumed from its stored state, if it kept one. */
    private static Optional<LiveGenerator> resume(Generator generator, TrialConfig cfg, Teacher teacher,
            Calibration calib, Datasets.Splits data, NDManager manager, ProgressListener progress) {
        try {
            List<float[]> state = calib.generatorState();
            return state.isEmpty() ? Optional.empty() : generator.resume(new GenerationContext(teacher.net(),
                    cfg.generator(), cfg.calibSamples(), data.train().imageShape(), cfg.seed(), data::train, manager,
                    progress), state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the generator state of " + calib.dir(), e);
        }
    }

    /** {@code progress}, with the stage's metrics also put into {@code into}. */
    private static ProgressListener collecting(ProgressListener progress, Map<String, Double> into) {
        return new ProgressListener() {
            @Override
            public void stage(String stage) {
                progress.stage(stage);
            }

            @Override
            public void message(String text) {
                progress.message(text);
            }

            @Override
            public void metric(String name, double value) {
                into.put(name, value);
                progress.metric(name, value);
            }
        };
    }

    /** Stores the quantized model (integers, scales, zero points, protocol) under the trial's key. */
    private void export(String key, TrialConfig cfg, Net student, Datasets.Splits data) throws Exception {
        artifacts.obtain(QUANTIZED, key, dir -> QuantizedModel.write(student, cfg.teacher().width(),
                data.test().imageShape(), cfg.protocol().id(), cfg.wbits(), cfg.abits(), dir.resolve(MODEL_FILE)));
    }

    private static Map<String, Double> evaluate(TrialConfig cfg, Net student, Teacher teacher, ImageSet test,
            NDManager manager) {
        ImageSet subset = cfg.evalLimit() == null ? test : test.head(cfg.evalLimit());
        int[] pred = Evaluator.predict(student, subset, cfg.evalBatch(), manager);
        int[] fp32 = Arrays.copyOf(teacher.testPredictions(), subset.count());
        Map<String, Double> m = new HashMap<>();
        m.put("top1", Evaluator.top1(pred, subset));
        m.put("fp32_top1", Evaluator.top1(fp32, subset));
        m.put("agreement", Evaluator.agreement(pred, fp32));
        m.put("size_bytes", (double) ModelSize.quantized(student));
        m.put("fp32_size_bytes", (double) ModelSize.fp32(student));
        m.put("eval_images", (double) subset.count());
        return m;
    }
}

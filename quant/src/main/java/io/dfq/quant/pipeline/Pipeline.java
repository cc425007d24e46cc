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
import io.dfq.quant.quantize.NestedModes;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.QuantizedModel;
import io.dfq.quant.quantize.Quantizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 *
 * <p>A nested quantizer (once-qat) leaves one network with several bit-width modes: each further mode
 * is evaluated after the trial's own ({@code nested_evaluation} stage), its model stored beside the
 * trial's, and its result returned in {@link TrialOutcome#nested()}.
 */
public final class Pipeline implements TrialRunner {

    /** Artifact kind of the quantized models, one per trial key. */
    public static final String QUANTIZED = "quantized";

    /** The quantized model's file in its artifact directory. */
    public static final String MODEL_FILE = "model.dfqm";

    /** The outcome's artifact naming the quantized model; {@code quantized_model_w4a4} names a nested mode's. */
    public static final String MODEL_ARTIFACT = "quantized_model";

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
            QuantizationContext ctx = stages.run("quantization",
                    () -> quantize(spec.key(), cfg, teacher, data, calib, manager, collecting(progress, measured)));
            List<NestedModes.Mode> modes = ctx.nested().nested();
            Map<String, Double> metrics = stages.run("evaluation",
                    () -> evaluate(cfg, ctx.network(), teacher, data.test(), manager));
            List<Map<String, Double>> nestedMetrics = modes.isEmpty() ? List.of() : stages.run("nested_evaluation",
                    () -> modes.stream().map(mode -> {
                        mode.install().run();
                        return evaluate(cfg, ctx.network(), teacher, data.test(), manager);
                    }).toList());
            metrics.putAll(measured);
            metrics.put("teacher_cached", teacher.trained() ? 0.0 : 1.0);
            metrics.put("synthesis_cached", calib.generated() ? 0.0 : 1.0);
            calib.stats().forEach((k, v) -> metrics.put("synthesis_" + k, v));
            metrics.put("rss_mb", (double) ProcessMemory.currentMb());
            Path root = teacher.dir().getParent().getParent();
            Path models = artifacts.dir(QUANTIZED, spec.key());
            Map<String, String> shared = Map.of(
                    "teacher", root.relativize(teacher.dir()).toString(),
                    "synthetic", root.relativize(calib.dir()).toString(),
                    "sample_grid", root.relativize(calib.dir().resolve("grid.png")).toString());
            Map<String, String> own = new HashMap<>(shared);
            own.put(MODEL_ARTIFACT, root.relativize(models.resolve(MODEL_FILE)).toString());
            List<TrialOutcome.Nested> nested = new ArrayList<>();
            for (int i = 0; i < modes.size(); i++) {
                NestedModes.Mode mode = modes.get(i);
                String model = root.relativize(models.resolve(modelFile(mode))).toString();
                own.put(MODEL_ARTIFACT + "_" + mode.name(), model);
                Map<String, Double> modeMetrics = new HashMap<>(metrics);
                modeMetrics.putAll(nestedMetrics.get(i));
                Map<String, String> modeArtifacts = new HashMap<>(shared);
                modeArtifacts.put(MODEL_ARTIFACT, model);
                nested.add(new TrialOutcome.Nested(mode.name(), mode.wbits(), mode.abits(), modeMetrics,
                        modeArtifacts));
            }
            return new TrialOutcome(metrics, stages.seconds(), own, nested);
        }
    }

    private QuantizationContext quantize(String key, TrialConfig cfg, Teacher teacher, Datasets.Splits data,
            Calibration calib, NDManager manager, ProgressListener progress) throws Exception {
        Net student = Teachers.load(cfg.teacher(), teacher.dir(), data, manager);
        student.fold();
        Quantizer quantizer = Quantizer.REGISTRY.get(TrialConfig.methodName(cfg.quantizer()));
        Generator generator = Generator.REGISTRY.get(TrialConfig.methodName(cfg.generator()));
        QuantizationContext ctx = new QuantizationContext(student, teacher.net(), calib.images(), cfg.quantizer(),
                cfg.wbits(), cfg.abits(), cfg.protocol(), cfg.calibBatch(), cfg.seed(), manager, progress)
                .withLiveGenerator(() -> resume(generator, cfg, teacher, calib, data, manager, progress));
        quantizer.quantize(ctx);
        export(key, cfg, ctx, data);
        return ctx;
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

    /**
     * Stores the quantized model (integers, scales, zero points, protocol) under the trial's key, and
     * beside it the model of each nested mode, the network left in the trial's own mode.
     */
    private void export(String key, TrialConfig cfg, QuantizationContext ctx, Datasets.Splits data) throws Exception {
        artifacts.obtain(QUANTIZED, key, dir -> {
            write(ctx.network(), cfg, cfg.wbits(), cfg.abits(), data, dir.resolve(MODEL_FILE));
            for (NestedModes.Mode mode : ctx.nested().nested()) {
                mode.install().run();
                write(ctx.network(), cfg, mode.wbits(), mode.abits(), data, dir.resolve(modelFile(mode)));
            }
            ctx.nested().restoreOwn();
        });
    }

    private static void write(Net net, TrialConfig cfg, int wbits, int abits, Datasets.Splits data, Path file)
            throws IOException {
        QuantizedModel.write(net, cfg.teacher().width(), data.test().imageShape(), cfg.protocol().id(), wbits, abits,
                file);
    }

    /** The file of a nested mode's model in the trial's artifact directory: {@code model_w4a4.dfqm}. */
    private static String modelFile(NestedModes.Mode mode) {
        return "model_" + mode.name() + ".dfqm";
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

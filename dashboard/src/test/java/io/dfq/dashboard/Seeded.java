package io.dfq.dashboard;

import io.dfq.results.H2ResultStore;
import io.dfq.results.NewTrial;
import io.dfq.results.TrialResult;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A results home shaped like the quickstart's: resnet8 (FP32 88.65%) quantized with gaussian, real
 * and zeroq calibration data x minmax / mse x W8A8 / W4A4, three seeds each, with stage times,
 * zeroq's loss terms and artifacts (a real PNG sample grid, a model file, a teacher directory).
 * The seed-0 accuracies are the README's measured ones; the other seeds scatter around them.
 * Optionally a hostile recipe whose names are markup, one running and one failed trial.
 */
final class Seeded {

    static final String RECIPE = "quickstart";
    static final String HOSTILE_RECIPE = "<script>window.pwned=1</script>";
    static final String HOSTILE_GENERATOR = "<img src=x onerror=\"window.pwned=2\">";

    /** Seed-0 top1 and agreement of generator/quantizer/bits, from the README's quickstart run. */
    private static final Map<String, double[]> MEASURED = Map.ofEntries(
            Map.entry("real/mse/8", new double[] {88.70, 99.58}), Map.entry("zeroq/mse/8", new double[] {88.67, 99.58}),
            Map.entry("gaussian/minmax/8", new double[] {88.66, 99.54}),
            Map.entry("real/minmax/8", new double[] {88.61, 99.41}),
            Map.entry("zeroq/minmax/8", new double[] {88.52, 99.30}),
            Map.entry("gaussian/mse/8", new double[] {88.63, 99.49}),
            Map.entry("real/mse/4", new double[] {87.89, 94.64}), Map.entry("zeroq/mse/4", new double[] {87.47, 94.49}),
            Map.entry("gaussian/mse/4", new double[] {86.77, 93.19}),
            Map.entry("real/minmax/4", new double[] {85.84, 90.52}),
            Map.entry("zeroq/minmax/4", new double[] {78.97, 82.55}),
            Map.entry("gaussian/minmax/4", new double[] {66.38, 69.06}));

    private Seeded() {}

    /** Fills {@code home}; returns the key of a DONE zeroq trial (with loss terms and a grid). */
    static String fill(Path home, boolean hostile) throws IOException {
        Random random = new Random(7);
        String zeroqKey = null;
        try (H2ResultStore store = H2ResultStore.open(home)) {
            List<NewTrial> trials = new ArrayList<>();
            for (String generator : List.of("gaussian", "real", "zeroq")) {
                for (String quantizer : List.of("minmax", "mse")) {
                    for (int bits : List.of(8, 4)) {
                        for (int seed = 0; seed < 3; seed++) {
                            trials.add(trial(RECIPE, generator, quantizer, bits, seed));
                        }
                    }
                }
            }
            store.register(trials);
            for (NewTrial trial : trials) {
                String[] parts = trial.key().split("-");
                String generator = parts[1];
                int seed = Integer.parseInt(parts[4]);
                double[] measured = MEASURED.get(parts[1] + "/" + parts[2] + "/" + parts[3]);
                double jitter = seed == 0 ? 0 : random.nextGaussian() * (parts[3].equals("8") ? 0.05 : 0.6);
                store.markRunning(trial.key(), 1, "cpu-1");
                store.recordSuccess(trial.key(), 1, result(home, trial.key(), generator, Integer.parseInt(parts[3]),
                        measured[0] + jitter, Math.min(100, measured[1] + jitter)));
                if (generator.equals("zeroq") && zeroqKey == null) {
                    zeroqKey = trial.key();
                }
            }
            if (hostile) {
                NewTrial evil = new NewTrial("evil-0", HOSTILE_RECIPE, config(HOSTILE_GENERATOR, "mse", 4, 0));
                NewTrial running = trial("later", "real", "mse", 2, 0);
                NewTrial failed = trial("later", "zeroq", "mse", 2, 0);
                store.register(List.of(evil, running, failed));
                store.markRunning(evil.key(), 1, "cpu-1");
                store.recordSuccess(evil.key(), 1, new TrialResult(Map.of("top1", 50.0, "fp32_top1", 88.65,
                        "agreement", 55.0, "size_bytes", 43_916.0, "fp32_size_bytes", 313_256.0),
                        Map.of("evaluation", 9.0),
                        Map.of("escape", "../outside.txt")));
                store.markRunning(running.key(), 1, "cpu-1");
                store.markRunning(failed.key(), 1, "cpu-2");
                store.recordFailure(failed.key(), 1, "quantization: NaN loss in block 3 <at iteration 12>", false);
                Files.writeString(home.resolve("artifacts/../outside.txt"), "not an artifact");
            }
        }
        return zeroqKey;
    }

    private static NewTrial trial(String recipe, String generator, String quantizer, int bits, int seed) {
        String key = String.join("-", recipe, generator, quantizer, Integer.toString(bits), Integer.toString(seed));
        return new NewTrial(key, recipe, config(generator, quantizer, bits, seed));
    }

    private static String config(String generator, String quantizer, int bits, int seed) {
        String name = generator.replace("\"", "\\\"");
        String params = switch (generator) {
            case "zeroq" ->
                ",\"iters\":500,\"lr\":0.5,\"batch\":32,\"patience\":100,\"min_lr\":1.0E-4,\"input_term\":true";
            case "gaussian" -> ",\"std\":1.0";
            default -> "";
        };
        return String.format(Locale.ROOT, """
                {"abits":%d,"calib":{"batch":64,"samples":256},"dataset":"fashion-mnist",\
                "eval":{"batch":100,"limit":null},"generator":{"name":"%s"%s},"protocol":"first-last-8bit",\
                "quantizer":{"name":"%s","symmetric":false},"seed":%d,"teacher":{"model":"resnet8","width":0.5,\
                "epochs":3,"batch":128,"lr":0.1,"seed":0},"wbits":%d}""", bits, name, params, quantizer, seed, bits);
    }

    private static TrialResult result(Path home, String key, String generator, int bits, double top1,
            double agreement) throws IOException {
        Map<String, Double> metrics = new HashMap<>(Map.of("top1", top1, "fp32_top1", 88.65, "agreement", agreement,
                "size_bytes", bits == 8 ? 81_404.0 : 43_916.0, "fp32_size_bytes", 313_256.0, "eval_images", 10_000.0));
        if (generator.equals("zeroq")) {
            metrics.putAll(Map.of("synthesis_loss_bn_initial", 4.12, "synthesis_loss_bn_final", 0.213,
                    "synthesis_loss_input_initial", 0.91, "synthesis_loss_input_final", 0.048,
                    "synthesis_loss_total_initial", 5.03, "synthesis_loss_total_final", 0.261));
            metrics.putAll(Map.of("qat_loss_epoch_01", 0.9, "qat_loss_epoch_02", 0.5, "qat_loss_epoch_03", 0.4));
        }
        String set = "synthetic/" + generator + "-" + key.substring(key.length() - 1);
        Path grid = home.resolve("artifacts").resolve(set).resolve("grid.png");
        if (!Files.exists(grid)) {
            Files.createDirectories(grid.getParent());
            ImageIO.write(grid(generator.hashCode()), "png", grid.toFile());
        }
        String model = "quantized/" + key + "/model.dfqm";
        Files.createDirectories(home.resolve("artifacts").resolve(model).getParent());
        Files.write(home.resolve("artifacts").resolve(model), new byte[] {'D', 'F', 'Q', 'M', 1});
        Files.createDirectories(home.resolve("artifacts/teacher/resnet8-w0.5"));
        double synthesis = switch (generator) {
            case "zeroq" -> 41.8;
            case "real" -> 0.4;
            default -> 0.1;
        };
        return new TrialResult(metrics, Map.of("teacher", 0.2, "synthesis", synthesis,
                "quantization", bits == 8 ? 1.6 : 6.3, "evaluation", 8.9),
                Map.of("teacher", "teacher/resnet8-w0.5", "synthetic", set, "sample_grid", set + "/grid.png",
                        "quantized_model", model));
    }

    /** A 4 x 4 grid of 28 x 28 grey noise tiles, like the pipeline's sample grids. */
    private static BufferedImage grid(int seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(4 * 30, 4 * 30, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                boolean gap = x % 30 >= 28 || y % 30 >= 28;
                int v = gap ? 255 : random.nextInt(256);
                image.getRaster().setSample(x, y, 0, v);
            }
        }
        return image;
    }
}

import io.dfq.dashboard.DashboardServer;
import io.dfq.results.H2ResultStore;
import io.dfq.results.NewTrial;
import io.dfq.results.ResultReader;
import io.dfq.results.TrialQuery;
import io.dfq.results.TrialResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The dashboard benchmark of bench/dashboard.sh: seeds a home with N DONE trials shaped like real ones
 * (2 models x 2 protocols x 2 calibration sizes x 11 generators x 10 quantizers x 5 bit settings x 3
 * seeds, cut at N; about 30 metric rows each), serves it and times the leaderboard API over HTTP.
 * A single-file program (java Bench.java) on the runnable jar's class path, so it is not part of
 * the build.
 */
public final class DashboardBench {

    private static final List<String> QUERIES = List.of(
            "/api/leaderboard",
            "/api/leaderboard?sort=size_bytes&dir=asc&offset=1000",
            "/api/leaderboard?q=zeroq%20mse&sort=drop",
            "/api/leaderboard?model=mobilenetv2&wbits=4&abits=4",
            "/api/pareto",
            "/api/ablation?recipe=bench&protocol=all-layers&model=resnet20");

    private DashboardBench() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        try (H2ResultStore store = H2ResultStore.open(home)) {
            if (store.list(TrialQuery.all().withPage(1, 0)).isEmpty()) {
                long start = System.nanoTime();
                seed(store, n);
                System.out.printf(Locale.ROOT, "seeded %d trials in %.1f s%n", n, (System.nanoTime() - start) / 1e9);
            }
        }
        HttpClient http = HttpClient.newHttpClient();
        try (ResultReader reader = H2ResultStore.openReadOnly(home);
                DashboardServer server = DashboardServer.start(reader, home.resolve("artifacts"), "127.0.0.1", 0)) {
            System.out.printf("%-64s %9s %9s %9s %9s%n", "request", "first ms", "median ms", "max ms", "bytes");
            for (String query : QUERIES) {
                URI uri = URI.create("http://127.0.0.1:" + server.port() + query);
                double[] ms = new double[11];
                int bytes = 0;
                for (int i = 0; i < ms.length; i++) {
                    long start = System.nanoTime();
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofString());
                    ms[i] = (System.nanoTime() - start) / 1e6;
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(query + ": " + response.statusCode() + " " + response.body());
                    }
                    bytes = response.body().length();
                }
                double first = ms[0];
                double[] rest = Arrays.copyOfRange(ms, 1, ms.length);
                Arrays.sort(rest);
                System.out.printf(Locale.ROOT, "%-64s %9.1f %9.1f %9.1f %9d%n", query, first, rest[rest.length / 2],
                        rest[rest.length - 1], bytes);
            }
        }
    }

    private static void seed(H2ResultStore store, int n) {
        List<NewTrial> trials = new ArrayList<>();
        String[] generators = {"gaussian", "real", "zeroq", "dsg", "intraq", "clusterq", "genie", "gdfq", "qimera",
            "fdda", "gzsq"};
        String[] quantizers = {"minmax", "percentile", "mse", "adaround", "brecq", "qdrop", "genie-m", "pdquant",
            "aquant", "aac"};
        int[][] bits = {{8, 8}, {4, 8}, {4, 4}, {3, 3}, {2, 4}};
        outer:
        for (String model : List.of("resnet20", "mobilenetv2")) {
            for (String protocol : List.of("first-last-8bit", "all-layers")) {
                for (int samples : new int[] {256, 1024}) {
                    for (String generator : generators) {
                        for (String quantizer : quantizers) {
                            for (int[] b : bits) {
                                for (int seed = 0; seed < 3; seed++) {
                                    if (trials.size() == n) {
                                        break outer;
                                    }
                                    trials.add(new NewTrial(String.format("%064x", trials.size()), "bench",
                                            config(model, protocol, samples, generator, quantizer, b, seed)));
                                }
                            }
                        }
                    }
                }
            }
        }
        store.register(trials);
        Random random = new Random(1);
        for (NewTrial trial : trials) {
            store.markRunning(trial.key(), 1, "cpu-1");
            store.recordSuccess(trial.key(), 1, result(random, trial.key()));
        }
    }

    private static String config(String model, String protocol, int samples, String generator, String quantizer,
            int[] bits, int seed) {
        return String.format(Locale.ROOT, "{\"abits\":%d,\"calib\":{\"batch\":64,\"samples\":%d},"
                + "\"dataset\":\"fashion-mnist\",\"eval\":{\"batch\":100,\"limit\":null},"
                + "\"generator\":{\"name\":\"%s\",\"iters\":500,\"lr\":0.5},\"protocol\":\"%s\","
                + "\"quantizer\":{\"name\":\"%s\",\"symmetric\":false},\"seed\":%d,"
                + "\"teacher\":{\"model\":\"%s\",\"width\":1.0,\"epochs\":12,\"seed\":0},\"wbits\":%d}",
                bits[1], samples, generator, protocol, quantizer, seed, model, bits[0]);
    }

    private static TrialResult result(Random random, String key) {
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("top1", 60 + 30 * random.nextDouble());
        metrics.put("fp32_top1", 91.2);
        metrics.put("agreement", 65 + 34 * random.nextDouble());
        metrics.put("size_bytes", 40_000.0 + random.nextInt(200_000));
        metrics.put("fp32_size_bytes", 1_093_000.0);
        for (String name : List.of("eval_images", "teacher_cached", "synthesis_cached", "rss_mb", "synthesis_seconds",
                "synthesis_diversity", "synthesis_teacher_confidence", "synthesis_teacher_entropy",
                "synthesis_bn_distance", "synthesis_loss_bn_initial", "synthesis_loss_bn_final",
                "synthesis_loss_total_initial", "synthesis_loss_total_final")) {
            metrics.put(name, random.nextDouble());
        }
        for (int c = 0; c < 10; c++) {
            metrics.put("synthesis_class_" + c, (double) random.nextInt(100));
        }
        return new TrialResult(metrics, Map.of("teacher", 0.1, "synthesis", 30 * random.nextDouble(),
                "quantization", 3.0, "evaluation", 9.0), Map.of("teacher", "teacher/t", "synthetic", "synthetic/s",
                "sample_grid", "synthetic/s/grid.png", "quantized_model", "quantized/" + key + "/model.dfqm"));
    }
}

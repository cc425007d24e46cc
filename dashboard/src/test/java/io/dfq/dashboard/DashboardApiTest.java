package io.dfq.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.results.H2ResultStore;
import io.dfq.results.ResultReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API and the pages' escaping, over HTTP, on one seeded home served read-only. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardApiTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path home;
    private String zeroq;
    private ResultReader reader;
    private DashboardServer server;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        home = dir;
        zeroq = Seeded.fill(home, true);
        reader = H2ResultStore.openReadOnly(home);
        server = DashboardServer.start(reader, home.resolve("artifacts"), "127.0.0.1", 0, Duration.ofMillis(100));
    }

    @AfterAll
    void stop() {
        server.close();
        reader.close();
    }

    @Test
    void leaderboardSortsFiltersAndPagesOnTheServer() throws Exception {
        JsonNode all = json("/api/leaderboard?recipe=quickstart");
        assertThat(all.get("groups").asInt()).isEqualTo(12);
        assertThat(all.get("trials").asInt()).isEqualTo(36);
        assertThat(means(all)).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        assertThat(all.get("rows").get(0).get("n").asInt()).isEqualTo(3);

        JsonNode ascending = json("/api/leaderboard?recipe=quickstart&sort=top1&dir=asc");
        assertThat(ascending.get("rows").get(0).get("generator").asText()).isEqualTo("gaussian");
        assertThat(ascending.get("rows").get(0).get("quantizer").asText()).isEqualTo("minmax");
        assertThat(means(ascending)).isSorted();

        JsonNode zeroqOnly = json("/api/leaderboard?generator=zeroq&wbits=4");
        assertThat(zeroqOnly.get("rows")).hasSize(2)
                .allSatisfy(row -> assertThat(row.get("generator").asText()).isEqualTo("zeroq"));
        assertThat(json("/api/leaderboard?q=minmax%20gauss").get("groups").asInt()).isEqualTo(2);

        JsonNode page = json("/api/leaderboard?recipe=quickstart&limit=5&offset=10");
        assertThat(page.get("rows")).hasSize(2);
        assertThat(page.get("groups").asInt()).isEqualTo(12);
    }

    @Test
    void leaderboardNamesTheColumnsThatDifferAndTheFp32Teacher() throws Exception {
        JsonNode page = json("/api/leaderboard?recipe=quickstart&wbits=4");

        assertThat(texts(page.get("differing"))).containsExactly("generator", "quantizer");
        JsonNode reference = page.get("references").get(0);
        assertThat(reference.get("model").asText()).isEqualTo("resnet8");
        assertThat(reference.get("top1").asDouble()).isEqualTo(88.65);
        assertThat(reference.get("sizeBytes").asDouble()).isEqualTo(313_256.0);
        assertThat(reference.get("trials").asInt()).isEqualTo(18);
    }

    @Test
    void groupsExpandIntoTheirSeeds() throws Exception {
        String group = json("/api/leaderboard?recipe=quickstart&limit=1").get("rows").get(0).get("groupKey").asText();

        JsonNode trials = json("/api/trials?group=" + group + "&sort=seed");
        assertThat(trials).hasSize(3);
        assertThat(trials.get(2).get("seed").asInt()).isEqualTo(2);
    }

    @Test
    void paretoFrontIsComputedOnTheServerAndDominatesTheRest() throws Exception {
        JsonNode points = json("/api/pareto?recipe=quickstart");

        assertThat(points).hasSize(12);
        List<JsonNode> front = new ArrayList<>();
        points.forEach(p -> {
            if (p.get("front").asBoolean()) {
                front.add(p);
            }
        });
        assertThat(front).hasSize(2);
        for (JsonNode f : front) {
            for (JsonNode p : points) {
                if (p.get("sizeBytes").asDouble() == f.get("sizeBytes").asDouble()) {
                    assertThat(p.get("top1").asDouble()).isLessThanOrEqualTo(f.get("top1").asDouble());
                }
            }
        }
        for (JsonNode p : points) {
            if (!p.get("front").asBoolean()) {
                assertThat(front).anySatisfy(f -> {
                    assertThat(f.get("sizeBytes").asDouble()).isLessThanOrEqualTo(p.get("sizeBytes").asDouble());
                    assertThat(f.get("top1").asDouble()).isGreaterThanOrEqualTo(p.get("top1").asDouble());
                });
            }
        }
    }

    @Test
    void ablationIsATableAndDownloadsAsCsvAndLatex() throws Exception {
        JsonNode ablation = json("/api/ablation?recipe=quickstart");
        assertThat(texts(ablation.get("parameters"))).containsExactly("generator", "quantizer");
        assertThat(texts(ablation.get("settings"))).containsExactly("W8A8", "W4A4");
        assertThat(ablation.get("rows")).hasSize(6);

        HttpResponse<String> csv = get("/api/ablation.csv?recipe=quickstart&metric=drop");
        assertThat(csv.headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=\"ablation-quickstart.csv\"");
        assertThat(csv.body()).startsWith("generator,quantizer,W8A8 mean,W8A8 std,W8A8 n,W4A4 mean,");
        HttpResponse<String> tex = get("/api/ablation.tex?recipe=quickstart");
        assertThat(tex.body()).startsWith("\\begin{tabular}{ll|rr}").contains("\\pm");
        assertThat(get("/api/ablation.tex").body()).contains("\\textless{}img src=x");
    }

    @Test
    void trialCarriesLossTermsStagesAndArtifactLinks() throws Exception {
        JsonNode trial = json("/api/trials/" + zeroq);

        assertThat(trial.get("status").asText()).isEqualTo("DONE");
        assertThat(trial.get("config").get("generator").get("iters").asInt()).isEqualTo(500);
        assertThat(trial.get("stages").get("synthesis").asDouble()).isEqualTo(41.8);
        assertThat(trial.get("losses")).extracting(l -> l.get("term").asText()).containsExactly("bn", "input", "total");
        assertThat(trial.get("losses").get(0).get("initial").asDouble()).isEqualTo(4.12);
        assertThat(trial.get("curves")).hasSize(1);
        assertThat(trial.get("curves").get(0).get("name").asText()).isEqualTo("qat_loss");
        assertThat(trial.get("curves").get(0).get("values")).extracting(JsonNode::asDouble).containsExactly(0.9, 0.5, 0.4);
        JsonNode artifacts = trial.get("artifacts");
        assertThat(artifacts).anySatisfy(a -> {
            assertThat(a.get("name").asText()).isEqualTo("sample_grid");
            assertThat(a.get("url").asText()).isEqualTo("/api/trials/" + zeroq + "/artifacts/sample_grid");
        });
        assertThat(artifacts).anySatisfy(a -> {
            assertThat(a.get("name").asText()).isEqualTo("teacher");
            assertThat(a.get("url").isNull()).isTrue();
        });

        HttpResponse<byte[]> png = http.send(request("/api/trials/" + zeroq + "/artifacts/sample_grid"),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.headers().firstValue("Content-Type")).contains("image/png");
        assertThat(png.body()).startsWith(0x89, 'P', 'N', 'G');
        HttpResponse<String> model = get("/api/trials/" + zeroq + "/artifacts/quantized_model");
        assertThat(model.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"model.dfqm\"");
    }

    @Test
    void errorsAreAStatusAndAReasonNeverAStackTrace() throws Exception {
        assertError("/api/leaderboard?sort=bogus", 400, "unknown sort column 'bogus'");
        assertError("/api/leaderboard?wbits=four", 400, "wbits must be an integer, got 'four'");
        assertError("/api/leaderboard?limit=100000", 400, "limit must be in [0, 2000], got 100000");
        assertError("/api/ablation?metric=seconds", 400, "unknown ablation metric 'seconds'");
        assertError("/api/trials/nope", 404, "no trial with key nope");
        assertError("/api/trials/evil-0/artifacts/escape", 404, "is not a file under the artifact directory");
        assertError("/api/nothing", 404, "no page /api/nothing");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/api/leaderboard"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(get("/h2-console").statusCode()).isEqualTo(404);
        assertThat(get("/static/..%2Fdfq.css").statusCode()).isEqualTo(404);
    }

    @Test
    void pagesEscapeEveryValueAndForbidInlineScript() throws Exception {
        HttpResponse<String> board = get("/");
        assertThat(board.statusCode()).isEqualTo(200);
        assertThat(board.headers().firstValue("Content-Security-Policy")).get().asString()
                .contains("script-src 'self'");
        assertThat(board.body()).contains("&lt;script&gt;window.pwned=1&lt;/script&gt;")
                .doesNotContain("<script>window.pwned");
        HttpResponse<String> missing = get("/trial/%3Cb%20id=%22x%22%3Ebold");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no trial with key &lt;b id=&quot;x&quot;&gt;bold")
                .doesNotContain("<b id");
        assertThat(get("/trial/" + zeroq).body()).contains("data-key=\"" + zeroq + "\"");
        JsonNode evil = json("/api/leaderboard?recipe=" + java.net.URLEncoder.encode(Seeded.HOSTILE_RECIPE,
                StandardCharsets.UTF_8));
        assertThat(evil.get("rows").get(0).get("generator").asText()).isEqualTo(Seeded.HOSTILE_GENERATOR);
    }

    @Test
    void staticFilesAndEchartsComeFromTheClassPath() throws Exception {
        HttpResponse<String> echarts = get("/static/echarts.min.js");
        assertThat(echarts.statusCode()).isEqualTo(200);
        assertThat(echarts.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(echarts.body()).contains("echarts");
        for (String file : List.of("dfq.css", "dfq.js", "leaderboard.js", "charts.js", "ablation.js", "trial.js")) {
            assertThat(get("/static/" + file).statusCode()).as(file).isEqualTo(200);
        }
        for (String page : List.of("/charts", "/ablation", "/ablation?recipe=quickstart")) {
            assertThat(get(page).statusCode()).as(page).isEqualTo(200);
        }
    }

    @Test
    void liveFeedSendsASnapshotThenChangesPolledFromTheDatabaseAndInProcessEvents() throws Exception {
        HttpResponse<InputStream> response =
                http.send(request("/api/events"), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream; charset=utf-8");
        try (BufferedReader events =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String[] snapshot = next(events);
            assertThat(snapshot[0]).isEqualTo("progress");
            JsonNode progress = Api.JSON.readTree(snapshot[1]);
            assertThat(progress.get("running")).extracting(t -> t.get("key").asText())
                    .containsExactly("later-real-mse-2-0");
            assertThat(progress.get("recipes").get(0).get("name").asText()).isEqualTo("later");

            try (H2ResultStore writer = H2ResultStore.open(home)) {
                writer.recordFailure("later-real-mse-2-0", 1, "stopped", true);
            }
            String[] changed = next(events);
            assertThat(changed[0]).isEqualTo("changed");
            assertThat(Api.JSON.readTree(changed[1]).get("later-real-mse-2-0").asText()).isEqualTo("PENDING");
            assertThat(next(events)[0]).isEqualTo("progress");

            server.live().trialEvent("later-real-mse-2-0", "stage", "synthesis");
            String[] stage = next(events);
            assertThat(stage[0]).isEqualTo("trial");
            assertThat(Api.JSON.readTree(stage[1]).get("text").asText()).isEqualTo("synthesis");
        }
    }

    /** The next event of a stream as {name, data}, within 10 s. */
    private static String[] next(BufferedReader events) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                String name = null;
                for (String line = events.readLine(); line != null; line = events.readLine()) {
                    if (line.startsWith("event: ")) {
                        name = line.substring(7);
                    } else if (line.startsWith("data: ") && name != null) {
                        return new String[] {name, line.substring(6)};
                    }
                }
                throw new IllegalStateException("the event stream ended");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    private void assertError(String path, int status, String reason) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode body = Api.JSON.readTree(response.body());
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("reason").asText()).contains(reason);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return Api.JSON.readTree(response.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static List<Double> means(JsonNode page) {
        List<Double> means = new ArrayList<>();
        page.get("rows").forEach(row -> means.add(row.get("top1").get("mean").asDouble()));
        return means;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}

package io.dfq.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dfq.quant.generate.Generator;
import io.dfq.results.H2ResultStore;
import io.dfq.results.ResultStore;
import io.dfq.results.TrialQuery;
import io.dfq.results.TrialRecord;
import io.dfq.results.TrialStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command line, in process, on real Fashion-MNIST: a tiny recipe (4 trials, one teacher,
 * one synthetic set per generator) is run once for the whole class, then re-run, read back with
 * every read-only verb, forced, and fed bad input.
 *
 * <p>The tests do not depend on their order: what the first run produced is kept in
 * {@link #firstRunTrials}, and every later run leaves all 4 trials DONE. The order only makes the
 * log read like a session at the terminal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliEndToEndTest {

    private static final String RECIPE_RESOURCE = "/e2e/tiny.yaml";
    private static final String RECIPE_NAME = "e2e-tiny";
    private static final int TRIALS = 4;
    private static final List<String> METRICS = List.of("top1", "fp32_top1", "agreement", "size_bytes");
    private static final List<String> STAGES = List.of("teacher", "synthesis", "quantization", "evaluation");
    private static final List<String> EXPORT_KEYS = List.of("trial_key", "recipe", "model", "generator",
            "quantizer", "wbits", "abits", "protocol", "seed", "status", "top1", "fp32_top1", "agreement",
            "size_bytes", "seconds");
    private static final Set<String> METHOD_PAIRS =
            Set.of("gaussian/minmax", "gaussian/mse", "zeroq/minmax", "zeroq/mse");
    private static final Pattern SUMMARY = Pattern.compile(
            "(?m)^" + Pattern.quote(RECIPE_NAME) + ": (\\d+) done, (\\d+) failed, (\\d+) cached, ");
    private static final Pattern EXPAND_ROW = Pattern.compile("^\\d+\\s+[0-9a-f]{12}\\s.*");

    private Path home;
    private Path recipe;
    private CliResult firstRun;
    private List<TrialRecord> firstRunTrials;

    /** What one command printed and returned. */
    private record CliResult(int exitCode, String out, String err) {

        /** Everything printed, for assertion messages. */
        String transcript() {
            return "exit code " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    /** The counts of the summary line {@code run} prints last. */
    private record Summary(int done, int failed, int cached) {}

    @BeforeAll
    void runTheRecipeOnce(@TempDir Path dir) throws IOException {
        home = dir.resolve("home");
        recipe = dir.resolve("tiny.yaml");
        try (InputStream in = CliEndToEndTest.class.getResourceAsStream(RECIPE_RESOURCE)) {
            assertThat(in).as("test resource %s", RECIPE_RESOURCE).isNotNull();
            Files.copy(in, recipe);
        }
        firstRun = cli("run", "--home", home.toString(), "--workers", "1", recipe.toString());
        firstRunTrials = trials(home);
    }

    @Test
    @Order(1)
    void firstRunComputesEveryTrialWithOneTeacherAndOneSyntheticSetPerGenerator() throws IOException {
        assertThat(firstRun.exitCode()).as(firstRun.transcript()).isZero();
        assertThat(summary(firstRun)).isEqualTo(new Summary(TRIALS, 0, 0));

        assertThat(firstRunTrials).hasSize(TRIALS).allSatisfy(t -> {
            assertThat(t.status()).isEqualTo(TrialStatus.DONE);
            assertThat(t.metrics()).containsKeys(METRICS.toArray(String[]::new));
            assertThat(t.metric("top1")).hasValueSatisfying(top1 -> assertThat(top1).isBetween(0.0, 100.0));
            assertThat(t.metric("size_bytes")).hasValueSatisfying(size -> assertThat(size).isPositive());
            assertThat(t.stageSeconds()).containsKeys(STAGES.toArray(String[]::new));
        });
        assertThat(firstRunTrials).extracting(t -> t.generator() + "/" + t.quantizer())
                .containsExactlyInAnyOrderElementsOf(METHOD_PAIRS);
        // one worker: the first trial trains the teacher, the first of each generator synthesizes
        assertThat(firstRunTrials).extracting(t -> t.metrics().get("teacher_cached"))
                .containsExactlyInAnyOrder(0.0, 1.0, 1.0, 1.0);
        assertThat(firstRunTrials).extracting(t -> t.metrics().get("synthesis_cached"))
                .containsExactlyInAnyOrder(0.0, 0.0, 1.0, 1.0);

        Path artifacts = home.resolve("artifacts");
        List<Path> teachers = artifactDirs(artifacts.resolve("teacher"));
        assertThat(teachers).hasSize(1).allSatisfy(d -> assertThat(d.resolve("SHA256SUMS")).isRegularFile());
        assertThat(firstRunTrials).extracting(t -> artifacts.resolve(t.artifacts().get("teacher")))
                .containsOnly(teachers.get(0));

        List<Path> synthetic = artifactDirs(artifacts.resolve("synthetic"));
        assertThat(synthetic).hasSize(2).allSatisfy(d -> {
            assertThat(d.resolve("SHA256SUMS")).isRegularFile();
            assertThat(d.resolve("grid.png")).isRegularFile();
        });
        assertThat(firstRunTrials).extracting(t -> artifacts.resolve(t.artifacts().get("synthetic")))
                .hasSameElementsAs(synthetic);
        assertThat(artifacts.resolve("checkpoints").resolve("synthetic"))
                .as("zeroq's batch checkpoints, deleted once its set is stored").isEmptyDirectory();

        assertThat(leaderboardRows(firstRun.out())).as(firstRun.transcript()).hasSize(TRIALS);
    }

    @Test
    @Order(2)
    void secondRunComputesNothingNew() {
        Map<String, Instant> before = updatedByKey(trials(home));

        CliResult rerun = cli("run", "--home", home.toString(), "--workers", "1", recipe.toString());

        assertThat(rerun.exitCode()).as(rerun.transcript()).isZero();
        assertThat(summary(rerun)).isEqualTo(new Summary(0, 0, TRIALS));
        List<TrialRecord> after = trials(home);
        assertThat(after).extracting(TrialRecord::status).containsOnly(TrialStatus.DONE);
        assertThat(updatedByKey(after)).isEqualTo(before);
        assertThat(leaderboardRows(rerun.out())).hasSize(TRIALS);
    }

    @Test
    @Order(3)
    void expandListsTheTrialsAsAlreadyDone() {
        CliResult expand = cli("expand", "--home", home.toString(), recipe.toString());

        assertThat(expand.exitCode()).as(expand.transcript()).isZero();
        List<String> rows = expand.out().lines().filter(l -> EXPAND_ROW.matcher(l).matches()).toList();
        assertThat(rows).as(expand.transcript()).hasSize(TRIALS).allSatisfy(r -> assertThat(r).endsWith(" done"));
        assertThat(rows).extracting(r -> r.split("\\s+")[1])
                .containsExactlyInAnyOrderElementsOf(firstRunTrials.stream().map(t -> t.key().substring(0, 12)).toList());
        assertThat(expand.out()).contains(RECIPE_NAME + ": 4 trials, 4 already done, 0 to run");
    }

    @Test
    @Order(4)
    void exportJsonIsAnArrayWithOneObjectPerTrial() throws IOException {
        CliResult export = cli("export", "--home", home.toString(), "--recipe", RECIPE_NAME, "--format", "json");

        assertThat(export.exitCode()).as(export.transcript()).isZero();
        JsonNode array = new ObjectMapper().readTree(export.out());
        assertThat(array.isArray()).as(export.out()).isTrue();
        assertThat(array).hasSize(TRIALS).allSatisfy(trial -> {
            assertThat(trial.isObject()).isTrue();
            assertThat(trial.properties()).extracting(Map.Entry::getKey).containsAll(EXPORT_KEYS);
            assertThat(trial.get("recipe").asText()).isEqualTo(RECIPE_NAME);
            assertThat(trial.get("status").asText()).isEqualTo("DONE");
            assertThat(trial.get("top1").isNumber()).isTrue();
        });
        assertThat(array).extracting(trial -> trial.get("trial_key").asText())
                .containsExactlyInAnyOrderElementsOf(firstRunTrials.stream().map(TrialRecord::key).toList());
    }

    @Test
    @Order(5)
    void exportCsvToAFileWritesAHeaderAndOneLinePerTrial(@TempDir Path scratch) throws IOException {
        Path csv = scratch.resolve("trials.csv");

        CliResult export = cli("export", "--home", home.toString(), "--recipe", RECIPE_NAME, "--format", "csv",
                "-o", csv.toString());

        assertThat(export.exitCode()).as(export.transcript()).isZero();
        assertThat(export.out()).isBlank();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1 + TRIALS);
        assertThat(Arrays.asList(lines.get(0).split(","))).startsWith(EXPORT_KEYS.toArray(String[]::new));
        assertThat(lines.subList(1, lines.size())).extracting(l -> l.substring(0, l.indexOf(',')))
                .containsExactlyInAnyOrderElementsOf(firstRunTrials.stream().map(TrialRecord::key).toList());
    }

    @Test
    @Order(6)
    void leaderboardPrintsOneRowPerConfiguration() {
        CliResult leaderboard = cli("leaderboard", "--home", home.toString(), "--recipe", RECIPE_NAME);

        assertThat(leaderboard.exitCode()).as(leaderboard.transcript()).isZero();
        List<List<String>> rows = leaderboardRows(leaderboard.out());
        assertThat(rows).as(leaderboard.transcript()).hasSize(TRIALS)
                .allSatisfy(cells -> {
                    assertThat(cells.get(0)).isEqualTo("resnet8");
                    assertThat(cells.get(3)).isEqualTo("8/8");
                });
        assertThat(rows).extracting(cells -> cells.get(1) + "/" + cells.get(2))
                .containsExactlyInAnyOrderElementsOf(METHOD_PAIRS);
    }

    @Test
    @Order(7)
    void showByKeyPrefixPrintsTheTrialAndItsArtifactPaths() {
        TrialRecord trial = firstRunTrials.get(0);
        String prefix = trial.key().substring(0, 12);

        CliResult show = cli("show", "--home", home.toString(), prefix);

        assertThat(show.exitCode()).as(show.transcript()).isZero();
        assertThat(trial.artifacts()).containsKey("sample_grid");
        Path grid = home.resolve("artifacts").resolve(trial.artifacts().get("sample_grid")).toAbsolutePath();
        assertThat(grid).isRegularFile();
        assertThat(show.out().lines()).contains("trial     " + trial.key(), "recipe    " + RECIPE_NAME)
                .anySatisfy(l -> assertThat(l).startsWith("status    DONE"))
                .anySatisfy(l -> assertThat(l).startsWith("artifact  sample_grid").endsWith(" " + grid))
                .anySatisfy(l -> assertThat(l).startsWith("artifact  teacher"));
    }

    @Test
    @Order(8)
    void forceRecomputesEveryTrialReusingTheCachedArtifacts() throws IOException {
        Map<String, Instant> before = updatedByKey(trials(home));

        CliResult forced = cli("run", "--home", home.toString(), "--workers", "1", "--force", recipe.toString());

        assertThat(forced.exitCode()).as(forced.transcript()).isZero();
        assertThat(summary(forced)).isEqualTo(new Summary(TRIALS, 0, 0));
        List<TrialRecord> after = trials(home);
        assertThat(after).hasSize(TRIALS).allSatisfy(t -> {
            assertThat(t.status()).isEqualTo(TrialStatus.DONE);
            assertThat(t.updated()).isAfter(before.get(t.key()));
            assertThat(t.metrics()).containsEntry("teacher_cached", 1.0).containsEntry("synthesis_cached", 1.0);
        });
        assertThat(artifactDirs(home.resolve("artifacts").resolve("teacher"))).hasSize(1);
        assertThat(artifactDirs(home.resolve("artifacts").resolve("synthetic"))).hasSize(2);
    }

    @Test
    @Order(9)
    void unknownGeneratorIsReportedWithItsPositionAndTheValidNames(@TempDir Path scratch) throws IOException {
        String text = Files.readString(recipe).replace("[gaussian, zeroq]", "[gaussian, zerq]");
        Path bad = scratch.resolve("bad.yaml");
        Files.writeString(bad, text);
        List<String> lines = text.lines().toList();
        int line = lines.indexOf(lines.stream().filter(l -> l.contains("zerq")).findFirst().orElseThrow()) + 1;
        int column = lines.get(line - 1).indexOf("zerq") + 1;
        Path badHome = scratch.resolve("home");

        CliResult run = cli("run", "--home", badHome.toString(), "--workers", "1", bad.toString());

        assertThat(run.exitCode()).as(run.transcript()).isNotZero();
        String validNames = String.join(", ", new TreeSet<>(Generator.REGISTRY.names()));
        assertThat(validNames).contains("gaussian", "zeroq");
        assertThat(run.err()).contains(bad + ":" + line + ":" + column + ": unknown generator 'zerq'")
                .contains("valid: " + validNames);
        assertThat(badHome.resolve("db")).doesNotExist();
    }

    @Test
    @Order(14)
    void aSecondRunOnAHomeThatARunHoldsIsRefusedAndChangesNothing() throws IOException {
        Map<String, Instant> before = updatedByKey(trials(home));
        CliResult second;
        try (FileChannel channel = FileChannel.open(home.resolve("run.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = channel.lock()) {
            second = cli("run", "--home", home.toString(), "--workers", "1", "--force", recipe.toString());
        }

        assertThat(second.exitCode()).as(second.transcript()).isNotZero();
        assertThat(second.err()).contains("another run or coordinator is using " + home.toAbsolutePath());
        assertThat(updatedByKey(trials(home))).isEqualTo(before);
    }

    @Test
    @Order(10)
    void leaderboardOfAHomeWithoutDatabaseNamesTheDirectory(@TempDir Path emptyHome) {
        CliResult leaderboard = cli("leaderboard", "--home", emptyHome.toString());

        assertThat(leaderboard.exitCode()).as(leaderboard.transcript()).isNotZero();
        assertThat(leaderboard.err()).contains(emptyHome.toAbsolutePath().toString());
        assertThat(emptyHome.resolve("db")).doesNotExist();
    }

    @Test
    @Order(11)
    void missingDatasetFailsEveryTrialNamingTheDirectoryAndThePackage(@TempDir Path scratch) throws IOException {
        Path emptyData = Files.createDirectory(scratch.resolve("data"));
        Path failHome = scratch.resolve("home");

        CliResult run = cli("run", "--home", failHome.toString(), "--workers", "1", "--max-attempts", "1",
                "--data-dir", emptyData.toString(), recipe.toString());

        assertThat(run.exitCode()).as(run.transcript()).isEqualTo(1);
        assertThat(summary(run)).isEqualTo(new Summary(0, TRIALS, 0));
        assertThat(trials(failHome)).hasSize(TRIALS).allSatisfy(t -> {
            assertThat(t.status()).isEqualTo(TrialStatus.FAILED);
            assertThat(t.attempts()).isEqualTo(1);
            assertThat(t.error()).contains(emptyData.toAbsolutePath().toString())
                    .contains("apt-get install dataset-fashion-mnist");
        });
    }

    @Test
    @Order(12)
    void methodsListsEveryMethodWithItsParametersAndRefusesAnUnknownFamily() {
        CliResult all = cli("methods");
        assertThat(all.exitCode()).as(all.transcript()).isZero();
        assertThat(all.out()).contains("generator zeroq", "quantizer brecq", "quantizer minmax");
        assertThat(all.out()).containsPattern("(?m)^  iters +20000 +\\[1, 1000000\\] +reconstruction iterations");

        CliResult quantizers = cli("methods", "quantizer", "--markdown");
        assertThat(quantizers.out()).doesNotContain("`zeroq`").contains("`qdrop`:", "| `keep` | 0.5 | [0, 1] |");

        CliResult bad = cli("methods", "optimizer");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("unknown method family 'optimizer'; valid: generator, quantizer");
    }

    @Test
    @Order(13)
    void runClusterRecomputesEveryTrialOnTheCoordinatorNodesOwnSlot() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        CliResult local = cli("run", "--home", home.toString(), "--bind", "127.0.0.1:" + port, recipe.toString());
        assertThat(local.exitCode()).as(local.transcript()).isEqualTo(2);
        assertThat(local.err()).contains("--slots, --bind, --join and --config need --cluster");

        CliResult cluster = cli("run", "--cluster", "--bind", "127.0.0.1:" + port, "--slots", "cpu=1",
                "--home", home.toString(), "--force", "--quiet", recipe.toString());

        assertThat(cluster.exitCode()).as(cluster.transcript()).isZero();
        assertThat(cluster.err()).contains("coordinator at 127.0.0.1:" + port + " with 1 local slot(s)");
        assertThat(summary(cluster)).isEqualTo(new Summary(TRIALS, 0, 0));
        assertThat(trials(home)).hasSize(TRIALS).allSatisfy(t -> {
            assertThat(t.status()).isEqualTo(TrialStatus.DONE);
            assertThat(t.worker()).isEqualTo("127.0.0.1:" + port + "/worker-cpu-1");
            assertThat(t.metrics()).containsEntry("teacher_cached", 1.0).containsEntry("synthesis_cached", 1.0);
        });
    }

    @Test
    @Order(14)
    void aRecipeEditedToNewKeysShowsOnlyItsCurrentTrialsAndKeepsTheOldOnes(@TempDir Path scratch) throws IOException {
        Path edited = scratch.resolve("tiny.yaml");
        Files.writeString(edited, Files.readString(recipe).replace("generator.iters: 3", "generator.iters: 4"));

        CliResult run = cli("run", "--home", home.toString(), "--workers", "1", "--quiet", edited.toString());

        assertThat(run.exitCode()).as(run.transcript()).isZero();
        assertThat(run.err()).contains("recipe " + RECIPE_NAME + " no longer expands to 2 trial(s) of an earlier run");
        assertThat(summary(run)).isEqualTo(new Summary(2, 0, 2));
        assertThat(leaderboardRows(run.out())).hasSize(TRIALS);
        assertThat(trials(home)).hasSize(TRIALS).allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.DONE));
        try (ResultStore store = H2ResultStore.open(home)) {
            assertThat(store.list(TrialQuery.all().withGenerator("zeroq"))).hasSize(4);
        }
    }

    /** Runs the command line with {@code args}, capturing what it prints. */
    private static CliResult cli(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream capturedOut = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream capturedErr = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(capturedOut);
            System.setErr(capturedErr);
            int exitCode;
            try {
                exitCode = Main.execute(args);
            } finally {
                System.setOut(originalOut);
                System.setErr(originalErr);
            }
            return new CliResult(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    /** The trials of the recipe in the database of {@code home}. */
    private static List<TrialRecord> trials(Path home) {
        try (ResultStore store = H2ResultStore.open(home)) {
            return store.list(TrialQuery.all().withRecipe(RECIPE_NAME));
        }
    }

    private static Map<String, Instant> updatedByKey(List<TrialRecord> trials) {
        return trials.stream().collect(Collectors.toMap(TrialRecord::key, TrialRecord::updated));
    }

    /** The counts of the summary line of a {@code run}. */
    private static Summary summary(CliResult run) {
        Matcher m = SUMMARY.matcher(run.out());
        assertThat(m.find()).as("summary line in%n%s", run.transcript()).isTrue();
        return new Summary(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /** The body rows of the leaderboard table in {@code out}, each as its trimmed cells. */
    private static List<List<String>> leaderboardRows(String out) {
        List<String> table = out.lines().filter(l -> l.startsWith("|")).toList();
        assertThat(table).as("leaderboard table in%n%s", out).hasSizeGreaterThanOrEqualTo(2);
        assertThat(table.get(0)).startsWith("| model").contains("generator", "quantizer", "top1");
        assertThat(table.get(1)).startsWith("|-");
        return table.stream().skip(2)
                .map(l -> Arrays.stream(l.split("\\|")).skip(1).map(String::strip).toList())
                .toList();
    }

    /** The artifact directories under {@code kindDir}, without lock files. */
    private static List<Path> artifactDirs(Path kindDir) throws IOException {
        try (Stream<Path> entries = Files.list(kindDir)) {
            return entries.filter(Files::isDirectory).sorted().toList();
        }
    }
}

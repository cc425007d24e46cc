package io.dfq.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The views behind the dashboard, on one store: zeroq (iters 500) and dsg at W8A8 and W4A4, zeroq
 * with iters 200 at W4A4 only (in another recipe; a second one never run), two seeds for zeroq/500.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadViewsTest {

    private Path home;
    private H2ResultStore store;
    private Instant afterFirstTwo;

    @BeforeAll
    void fill(@TempDir Path dir) throws InterruptedException {
        home = dir;
        store = H2ResultStore.open(home);
        store.register(List.of(
                new NewTrial("z8s0", "fmnist", Configs.config("zeroq", 500, "mse", 8, 0)),
                new NewTrial("z8s1", "fmnist", Configs.config("zeroq", 500, "mse", 8, 1)),
                new NewTrial("z4s0", "fmnist", Configs.config("zeroq", 500, "mse", 4, 0)),
                new NewTrial("z4s1", "fmnist", Configs.config("zeroq", 500, "mse", 4, 1)),
                new NewTrial("d8s0", "fmnist", Configs.config("dsg", 500, "mse", 8, 0)),
                new NewTrial("d4s0", "fmnist", Configs.config("dsg", 500, "mse", 4, 0)),
                new NewTrial("y4s0", "other", Configs.config("zeroq", 200, "mse", 4, 0)),
                new NewTrial("p4s0", "fmnist", Configs.config("zeroq", 200, "mse", 4, 9))));
        done("z8s0", 88, 2000);
        done("z8s1", 85, 2000);
        Thread.sleep(5);
        afterFirstTwo = Instant.now();
        Thread.sleep(5);
        done("z4s0", 80, 1000);
        done("z4s1", 78, 1000);
        done("d8s0", 87, 2000);
        done("d4s0", 81, 1000);
        done("y4s0", 70, 1000);
    }

    @AfterAll
    void close() {
        store.close();
    }

    @Test
    void pageCarriesTotalsDistinctValuesAndTheFp32Teacher() {
        LeaderboardPage page = store.leaderboardPage(TrialQuery.all().withPage(2, 1));

        assertThat(page.rows()).extracting(LeaderboardRow::generator, LeaderboardRow::wbits)
                .containsExactly(tuple("zeroq", 8), tuple("dsg", 4));
        assertThat(page.groups()).isEqualTo(5);
        assertThat(page.trials()).isEqualTo(7);
        assertThat(page.values()).containsEntry("generator", List.of("dsg", "zeroq"))
                .containsEntry("wbits", List.of("4", "8")).containsEntry("model", List.of("resnet8"));
        assertThat(page.differs("generator")).isTrue();
        assertThat(page.differs("model")).isFalse();
        assertThat(page.references()).containsExactly(new Fp32Reference("resnet8", 90.0, 8000.0, 7));
        assertThat(store.leaderboardPage(TrialQuery.all().withPage(10, 20)).rows()).isEmpty();
    }

    @Test
    void headlineColumnsFollowResetAndRerun() {
        try (H2ResultStore scratch = H2ResultStore.openInMemory("headline")) {
            scratch.register(List.of(new NewTrial("k", "r", Configs.config("zeroq", "mse", 4, 0))));
            scratch.markRunning("k", 1, "cpu");
            scratch.recordSuccess("k", 1, Configs.result(70, 90, 80, 1000));
            scratch.reset(List.of("k"));
            assertThat(scratch.leaderboardPage(TrialQuery.all()).groups()).isZero();
            scratch.markRunning("k", 1, "cpu");
            scratch.recordSuccess("k", 1, Configs.result(75, 90, 80, 1000));

            assertThat(scratch.leaderboard(TrialQuery.all()).get(0).top1().mean()).isEqualTo(75.0);
            assertThat(scratch.list(TrialQuery.all().withSort("drop", null)).get(0).metric("top1"))
                    .contains(75.0);
        }
    }

    @Test
    void paretoFrontKeepsTheUndominatedGroups() {
        List<ParetoPoint> points = store.pareto(TrialQuery.all().withPage(1, 0));

        assertThat(points).hasSize(5);
        assertThat(points).filteredOn(ParetoPoint::front)
                .extracting(ParetoPoint::generator, ParetoPoint::wbits, ParetoPoint::top1)
                .containsExactlyInAnyOrder(tuple("dsg", 4, 81.0), tuple("dsg", 8, 87.0));
    }

    @Test
    void paretoMarkingOfHandPlacedPoints() {
        List<ParetoPoint> marked = ParetoPoint.mark(List.of(point("a", 1, 50), point("b", 2, 40),
                point("c", 2, 60), point("d", 3, 60), point("e", 4, 90), point("f", 1, 50)));

        assertThat(marked).filteredOn(ParetoPoint::front).extracting(ParetoPoint::groupKey)
                .containsExactly("a", "f", "c", "e");
    }

    @Test
    void ablationHasOneRowPerConfigAndOneColumnPerBitSetting() {
        Ablation ablation = store.ablation(TrialQuery.all(), "top1");

        assertThat(ablation.parameters()).containsExactly("generator", "generator.iters");
        assertThat(ablation.settings()).containsExactly("W8A8", "W4A4");
        assertThat(ablation.rows()).extracting(Ablation.Row::labels).containsExactly(
                List.of("dsg", ""), List.of("zeroq", "200"), List.of("zeroq", "500"));
        Ablation.Row zeroq500 = ablation.rows().get(2);
        assertThat(zeroq500.cells().get(0).stat().mean()).isCloseTo(86.5, within(1e-9));
        assertThat(zeroq500.cells().get(0).stat().std()).isCloseTo(Math.sqrt(4.5), within(1e-9));
        assertThat(zeroq500.cells().get(0).n()).isEqualTo(2);
        assertThat(ablation.rows().get(1).cells().get(0)).isNull();
        assertThat(store.ablation(TrialQuery.all(), "drop").rows().get(0).cells().get(1).stat().mean())
                .isCloseTo(9.0, within(1e-9));
        assertThatThrownBy(() -> store.ablation(TrialQuery.all(), "seconds"))
                .hasMessage("unknown ablation metric 'seconds'; valid metrics: agreement, drop, top1");
    }

    @Test
    void ablationRendersAsCsvAndEscapedLatex() {
        LeaderboardRow.Stat twoSeeds = new LeaderboardRow.Stat(72.0, 2.0);
        Ablation ablation = new Ablation("top1", List.of("generator", "note"), List.of("W4A4", "W2A2"),
                List.of(new Ablation.Row(List.of("zeroq", "a_b & 5%, <i>"),
                                Arrays.asList(new Ablation.Cell(twoSeeds, 3, "g1"), null)),
                        new Ablation.Row(List.of("dsg", ""), List.of(
                                new Ablation.Cell(new LeaderboardRow.Stat(70.0, null), 1, "g2"),
                                new Ablation.Cell(new LeaderboardRow.Stat(50.0, null), 1, "g3")))));

        assertThat(ablation.csv()).isEqualTo("generator,note,W4A4 mean,W4A4 std,W4A4 n,W2A2 mean,W2A2 std,W2A2 n\r\n"
                + "zeroq,\"a_b & 5%, <i>\",72.0000,2.0000,3,,,\r\n"
                + "dsg,,70.0000,,1,50.0000,,1\r\n");
        assertThat(ablation.latex()).isEqualTo("\\begin{tabular}{ll|rr}\n\\hline\n"
                + "generator & note & W4A4 & W2A2 \\\\\n\\hline\n"
                + "zeroq & a\\_b \\& 5\\%, \\textless{}i\\textgreater{} & $\\mathbf{72.00} \\pm 2.00$ & -- \\\\\n"
                + "dsg &  & $70.00$ & $\\mathbf{50.00}$ \\\\\n"
                + "\\hline\n\\end{tabular}\n");
    }

    @Test
    void parallelTrialsHaveAnAxisPerDifferingValue() {
        ParallelTrials parallel = store.parallel(TrialQuery.all().withRecipe("fmnist"));

        assertThat(parallel.parameters())
                .containsExactly("generator.name", "abits", "seed", "wbits");
        assertThat(parallel.metrics()).containsExactly("top1", "drop", "agreement", "size_bytes");
        assertThat(parallel.lines()).extracting(ParallelTrials.Line::key)
                .containsExactly("z8s0", "z8s1", "z4s0", "z4s1", "d8s0", "d4s0");
        ParallelTrials.Line first = parallel.lines().get(0);
        assertThat(first.parameters()).containsEntry("generator.name", "zeroq").containsEntry("seed", "0")
                .doesNotContainKey("generator.iters");
        assertThat(first.metrics()).containsEntry("top1", 88.0).containsEntry("drop", 2.0);
    }

    @Test
    void listFiltersByGroupAndUpdateTime() {
        String group = store.find("z8s0").orElseThrow().groupKey();

        assertThat(store.list(TrialQuery.all().withGroup(group))).extracting(TrialRecord::key)
                .containsExactly("z8s0", "z8s1");
        assertThat(store.list(TrialQuery.all().withUpdatedAfter(afterFirstTwo)))
                .extracting(TrialRecord::key).containsExactly("z4s0", "z4s1", "d8s0", "d4s0", "y4s0");
        assertThat(store.recipes()).containsExactly("fmnist", "other");
    }

    @Test
    void readOnlyReaderSeesTheDataAndTheDatabaseRefusesItsWrites() throws SQLException {
        try (ResultReader reader = H2ResultStore.openReadOnly(home)) {
            assertThat(reader.leaderboard(TrialQuery.all())).isEqualTo(store.leaderboard(TrialQuery.all()));
        }
        String url = "jdbc:h2:file:" + home.resolve("db/results") + ";AUTO_SERVER=TRUE;IFEXISTS=TRUE";
        try (Connection c = DriverManager.getConnection(url, H2ResultStore.READER, H2ResultStore.READER_PASSWORD);
                Statement statement = c.createStatement()) {
            assertThatThrownBy(() -> statement.executeUpdate("UPDATE trials SET status = 'PENDING'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("Not enough rights");
            assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM metrics"))
                    .isInstanceOf(SQLException.class);
        }
    }

    @Test
    void readOnlyOpenOfAMissingDatabaseCreatesNothing(@TempDir Path empty) {
        assertThatThrownBy(() -> H2ResultStore.openReadOnly(empty)).isInstanceOf(ResultStoreException.class);
        assertThat(empty.resolve("db")).doesNotExist();
    }

    @Test
    void migrationThreeBackfillsTheHeadlineColumnsAndRunsAgain(@TempDir Path old) throws SQLException {
        try (H2ResultStore v1 = H2ResultStore.open(old)) {
            v1.register(List.of(new NewTrial("k", "r", Configs.config("zeroq", "mse", 4, 0))));
            v1.markRunning("k", 1, "cpu");
            v1.recordSuccess("k", 1, Configs.result(70, 90, 80, 1000));
        }
        String url = "jdbc:h2:file:" + old.resolve("db/results");
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement statement = c.createStatement()) {
            statement.executeUpdate("UPDATE trials SET top1 = NULL, fp32_top1 = NULL, total_seconds = NULL");
            statement.executeUpdate("DELETE FROM schema_version WHERE version = 3");
        }
        try (H2ResultStore v2 = H2ResultStore.open(old)) {
            LeaderboardRow row = v2.leaderboard(TrialQuery.all()).get(0);
            assertThat(row.top1().mean()).isEqualTo(70.0);
            assertThat(row.drop().mean()).isEqualTo(20.0);
            assertThat(row.seconds().mean()).isEqualTo(14.0);
        }
    }

    private static ParetoPoint point(String key, double size, double top1) {
        return new ParetoPoint(key, "m", "g", "q", 4, 4, "p", 1, size, top1, false);
    }

    private void done(String key, double top1, double size) {
        store.markRunning(key, 1, "cpu");
        store.recordSuccess(key, 1, new TrialResult(Map.of("top1", top1, "fp32_top1", 90.0, "agreement", top1 + 5,
                "size_bytes", size, "fp32_size_bytes", 8000.0), Map.of("evaluation", 1.0), Map.of()));
    }
}

package io.dfq.results;

import static io.dfq.results.Configs.result;
import static io.dfq.results.Configs.trial;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2ResultStoreTest {

    @TempDir
    Path home;

    private H2ResultStore store;

    @BeforeEach
    void open() {
        store = H2ResultStore.open(home);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void createsTheDatabaseFileUnderHome() {
        assertThat(home.resolve("db/results.mv.db")).exists();
    }

    @Test
    void registerInsertsPendingRowsWithDerivedColumns() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 3)));

        TrialRecord record = store.find("k1").orElseThrow();
        assertThat(record.status()).isEqualTo(TrialStatus.PENDING);
        assertThat(record.attempts()).isZero();
        assertThat(record.recipe()).isEqualTo("fmnist");
        assertThat(record.model()).isEqualTo("resnet8");
        assertThat(record.generator()).isEqualTo("zeroq");
        assertThat(record.quantizer()).isEqualTo("mse");
        assertThat(record.wbits()).isEqualTo(4);
        assertThat(record.abits()).isEqualTo(4);
        assertThat(record.protocol()).isEqualTo("first-last-8bit");
        assertThat(record.seed()).isEqualTo(3);
        assertThat(record.groupKey()).hasSize(64);
        assertThat(record.configJson()).isEqualTo(Configs.config("zeroq", "mse", 4, 3));
        assertThat(record.created()).isEqualTo(record.updated());
        assertThat(store.find("missing")).isEmpty();
    }

    @Test
    void aTrialSharedByTwoRecipesBelongsToBoth() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0), trial("k2", "dsg", "mse", 4, 0)));
        store.register(List.of(new NewTrial("k1", "ptq", Configs.config("zeroq", "mse", 4, 0)),
                new NewTrial("k3", "ptq", Configs.config("real", "mse", 4, 0))));

        assertThat(store.list(TrialQuery.all().withRecipe("ptq"))).extracting(TrialRecord::key)
                .containsExactly("k1", "k3");
        assertThat(store.list(TrialQuery.all().withRecipe("fmnist"))).extracting(TrialRecord::key)
                .containsExactly("k1", "k2");
        assertThat(store.counts("ptq").get(TrialStatus.PENDING)).isEqualTo(2);
        // the recipe column keeps the first recipe that registered the trial
        assertThat(store.find("k1").orElseThrow().recipe()).isEqualTo("fmnist");
    }

    @Test
    void retainOnlyUnlinksTrialsTheRecipeNoLongerExpandsToAndKeepsThem() {
        store.register(List.of(trial("old", "gzsq", "mse", 4, 0), trial("kept", "zeroq", "once-qat", 8, 0)));
        store.register(List.of(new NewTrial("old", "other", Configs.config("gzsq", "mse", 4, 0))));
        for (String key : List.of("old", "kept")) {
            store.markRunning(key, 1, "cpu");
        }
        store.recordSuccess("old", 1, result(10.0, 88.0, 11.0, 1000));
        store.recordSuccess("kept", 1, nested(80.0, 70.0, 40.0));
        // the edited recipe expands to "kept" and a new key in place of "old"
        store.register(List.of(trial("new", "gzsq", "mse", 4, 0), trial("kept", "zeroq", "once-qat", 8, 0)));

        assertThat(store.retainOnly("fmnist", Set.of("new", "kept"))).isEqualTo(1);

        assertThat(store.list(TrialQuery.all().withRecipe("fmnist"))).extracting(TrialRecord::key)
                .containsExactly("kept", "kept~w4a4", "kept~w2a2", "new");
        assertThat(store.leaderboard(TrialQuery.all().withRecipe("fmnist").withGenerator("gzsq"))).isEmpty();
        assertThat(store.counts("fmnist")).containsEntry(TrialStatus.DONE, 3).containsEntry(TrialStatus.PENDING, 1);
        assertThat(store.find("old").orElseThrow().metric("top1")).contains(10.0);
        assertThat(store.list(TrialQuery.all().withRecipe("other"))).extracting(TrialRecord::key)
                .containsExactly("old");
        assertThat(store.retainOnly("fmnist", Set.of("new", "kept"))).isZero();
        assertThat(store.retainOnly("other", Set.of())).isEqualTo(1);
        assertThat(store.recipes()).containsExactly("fmnist");
    }

    @Test
    void registerIsIdempotent() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0)));
        store.markRunning("k1", 1, "cpu");

        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0), trial("k2", "dsg", "mse", 4, 0),
                trial("k2", "dsg", "mse", 4, 0)));

        assertThat(store.find("k1").orElseThrow().status()).isEqualTo(TrialStatus.RUNNING);
        assertThat(store.list(TrialQuery.all())).extracting(TrialRecord::key)
                .containsExactly("k1", "k2");
    }

    @Test
    void registerRejectsAConfigWithoutADerivedColumnAndWritesNothing() {
        String noModel = Configs.config("zeroq", "mse", 4, 0).replace("\"model\":\"resnet8\",", "");

        assertThatThrownBy(() -> store.register(List.of(trial("ok", "zeroq", "mse", 4, 0),
                new NewTrial("bad", "fmnist", noModel))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trial bad: config has no text at teacher.model");
        assertThat(store.list(TrialQuery.all())).isEmpty();
    }

    @Test
    void lifecycleFromPendingThroughRunningToDone() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0)));

        store.markRunning("k1", 1, "gpu:0");
        TrialRecord running = store.find("k1").orElseThrow();
        assertThat(running.status()).isEqualTo(TrialStatus.RUNNING);
        assertThat(running.attempts()).isEqualTo(1);
        assertThat(running.worker()).isEqualTo("gpu:0");

        store.recordSuccess("k1", 1, result(71.25, 88.5, 80.0, 45_312));
        TrialRecord done = store.find("k1").orElseThrow();
        assertThat(done.status()).isEqualTo(TrialStatus.DONE);
        assertThat(done.metrics()).containsExactly(Map.entry("agreement", 80.0),
                Map.entry("fp32_top1", 88.5), Map.entry("size_bytes", 45_312.0),
                Map.entry("top1", 71.25));
        assertThat(done.metric("top1")).contains(71.25);
        assertThat(done.metric("top5")).isEmpty();
        assertThat(done.stageSeconds()).containsEntry("synthesis", 10.0).hasSize(4);
        assertThat(done.seconds()).isEqualTo(14.0);
        assertThat(done.artifacts()).containsExactly(Map.entry("model", "quantized/71.params"));
        assertThat(done.updated()).isAfterOrEqualTo(done.created());
    }

    @Test
    void nestedResultsBecomeDoneTrialsOfTheirOwnGroupedOverSeedsAndNeverPending() {
        store.register(List.of(trial("p0", "zeroq", "once-qat", 8, 0), trial("p1", "zeroq", "once-qat", 8, 1)));
        store.register(List.of(new NewTrial("p0", "other", Configs.config("zeroq", "once-qat", 8, 0))));
        for (int seed = 0; seed < 2; seed++) {
            store.markRunning("p" + seed, 1, "cpu");
            store.recordSuccess("p" + seed, 1, nested(80.0 + seed, 70.0 + seed, 40.0 + seed));
        }
        store.recordSuccess("p0", 2, nested(1, 2, 3)); // a second success changes nothing

        TrialRecord w4 = store.find("p0~w4a4").orElseThrow();
        assertThat(w4.status()).isEqualTo(TrialStatus.DONE);
        assertThat(w4.recipe()).isEqualTo("fmnist");
        assertThat(List.of(w4.quantizer(), w4.model(), w4.generator(), w4.protocol()))
                .containsExactly("once-qat", "resnet8", "zeroq", "first-last-8bit");
        assertThat(List.of(w4.wbits(), w4.abits(), w4.seed(), w4.attempts())).containsExactly(4, 4, 0, 1);
        assertThat(w4.metrics()).containsEntry("top1", 70.0).containsEntry("size_bytes", 500.0);
        assertThat(w4.artifacts()).containsExactly(Map.entry("quantized_model", "quantized/p0/model_w4a4.dfqm"));
        assertThat(w4.stageSeconds()).isEqualTo(store.find("p0").orElseThrow().stageSeconds());
        assertThat(TrialConfig.object("w4", w4.configJson()).path("nested_of").asText()).isEqualTo("p0");
        assertThat(store.find("p0~w2a2").orElseThrow().metric("top1")).contains(40.0);
        assertThat(store.list(TrialQuery.all().withRecipe("other"))).extracting(TrialRecord::key)
                .containsExactlyInAnyOrder("p0", "p0~w4a4", "p0~w2a2");
        assertThat(store.counts("fmnist")).containsEntry(TrialStatus.DONE, 6).containsEntry(TrialStatus.PENDING, 0);

        // one leaderboard row per bit-width, each over both seeds
        List<LeaderboardRow> rows = store.leaderboard(TrialQuery.all().withSort("wbits", TrialQuery.Direction.DESC));
        assertThat(rows).extracting(LeaderboardRow::wbits, LeaderboardRow::abits, LeaderboardRow::n)
                .containsExactly(tuple(8, 8, 2), tuple(4, 4, 2), tuple(2, 2, 2));
        assertThat(rows.get(1).top1().mean()).isEqualTo(70.5);
        assertThat(rows).extracting(LeaderboardRow::variant).containsOnly(""); // nested_of does not tell them apart

        // a reset drops the nested results; the next success records them again
        store.reset(List.of("p0"));
        assertThat(store.find("p0~w4a4")).isEmpty();
        assertThat(store.find("p1~w4a4")).isPresent();
        store.markRunning("p0", 1, "cpu");
        store.recordSuccess("p0", 1, nested(90.0, 75.0, 50.0));
        assertThat(store.find("p0~w4a4").orElseThrow().metric("top1")).contains(75.0);
        assertThat(store.keysWithStatus(List.of("p0~w4a4", "p0~w2a2"), TrialStatus.DONE)).hasSize(2);
    }

    /** A once-qat result at W8A8 with nested W4A4 and W2A2 results of the given top-1. */
    private static TrialResult nested(double top8, double top4, double top2) {
        TrialResult own = result(top8, 88.0, 90.0, 1000);
        return new TrialResult(own.metrics(), own.stageSeconds(), own.artifacts(), List.of(
                new TrialResult.Nested("w4a4", 4, 4, Map.of("top1", top4, "fp32_top1", 88.0, "size_bytes", 500.0),
                        Map.of("quantized_model", "quantized/p0/model_w4a4.dfqm")),
                new TrialResult.Nested("w2a2", 2, 2, Map.of("top1", top2, "fp32_top1", 88.0, "size_bytes", 250.0),
                        Map.of())));
    }

    @Test
    void failureWithRetryGoesBackToPendingAndWithoutToFailed() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0)));
        store.markRunning("k1", 1, "cpu");

        store.recordFailure("k1", 1, "out of memory", true);
        TrialRecord retried = store.find("k1").orElseThrow();
        assertThat(retried.status()).isEqualTo(TrialStatus.PENDING);
        assertThat(retried.attempts()).isEqualTo(1);
        assertThat(retried.error()).isEqualTo("out of memory");

        store.markRunning("k1", 2, "cpu");
        store.recordFailure("k1", 2, "out of memory again", false);
        TrialRecord failed = store.find("k1").orElseThrow();
        assertThat(failed.status()).isEqualTo(TrialStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(2);
        assertThat(failed.error()).isEqualTo("out of memory again");
    }

    @Test
    void failureOfASupersededAttemptIsIgnored() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0)));
        store.markRunning("k1", 2, "gpu:1");

        store.recordFailure("k1", 1, "worker lost", false);

        TrialRecord record = store.find("k1").orElseThrow();
        assertThat(record.status()).isEqualTo(TrialStatus.RUNNING);
        assertThat(record.error()).isNull();
    }

    @Test
    void writesAfterDoneChangeNothing() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0)));
        store.markRunning("k1", 1, "cpu");
        store.recordSuccess("k1", 1, result(71.0, 88.0, 80.0, 1000));
        TrialRecord done = store.find("k1").orElseThrow();

        store.recordSuccess("k1", 2, result(10.0, 20.0, 30.0, 40));
        store.recordFailure("k1", 3, "late failure", false);
        store.markRunning("k1", 4, "gpu:0");

        assertThat(store.find("k1").orElseThrow()).isEqualTo(done);
    }

    @Test
    void writesToAnUnknownKeyNameIt() {
        assertThatThrownBy(() -> store.markRunning("nope", 1, "cpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no trial with key nope");
        assertThatThrownBy(() -> store.recordSuccess("nope", 1, result(1, 2, 3, 4)))
                .hasMessage("no trial with key nope");
        assertThatThrownBy(() -> store.recordFailure("nope", 1, "x", false))
                .hasMessage("no trial with key nope");
    }

    @Test
    void resetClearsAttemptsMetricsArtifactsAndError() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0), trial("k2", "dsg", "mse", 4, 0),
                trial("k3", "genie", "mse", 4, 0)));
        store.markRunning("k1", 1, "cpu");
        store.recordSuccess("k1", 1, result(71.0, 88.0, 80.0, 1000));
        store.markRunning("k2", 1, "cpu");
        store.recordFailure("k2", 1, "boom", false);
        store.markRunning("k3", 1, "cpu");
        store.recordSuccess("k3", 1, result(60.0, 88.0, 70.0, 1000));

        store.reset(List.of("k1", "k2", "unknown"));

        for (String key : List.of("k1", "k2")) {
            TrialRecord record = store.find(key).orElseThrow();
            assertThat(record.status()).isEqualTo(TrialStatus.PENDING);
            assertThat(record.attempts()).isZero();
            assertThat(record.error()).isNull();
            assertThat(record.worker()).isNull();
            assertThat(record.metrics()).isEmpty();
            assertThat(record.stageSeconds()).isEmpty();
            assertThat(record.artifacts()).isEmpty();
        }
        assertThat(store.find("k3").orElseThrow().metrics()).hasSize(4);

        store.markRunning("k1", 1, "cpu");
        store.recordSuccess("k1", 1, result(72.0, 88.0, 81.0, 1000));
        assertThat(store.find("k1").orElseThrow().metric("top1")).contains(72.0);
    }

    @Test
    void requeueRunningPutsOnlyRunningRowsBack() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0), trial("k2", "dsg", "mse", 4, 0),
                trial("k3", "genie", "mse", 4, 0)));
        store.markRunning("k1", 1, "cpu");
        store.markRunning("k2", 1, "cpu");
        store.markRunning("k3", 1, "cpu");
        store.recordSuccess("k3", 1, result(71.0, 88.0, 80.0, 1000));

        assertThat(store.requeueRunning()).isEqualTo(2);

        assertThat(store.keysWithStatus(List.of("k1", "k2", "k3"), TrialStatus.PENDING))
                .containsExactlyInAnyOrder("k1", "k2");
        assertThat(store.keysWithStatus(List.of("k1", "k3", "x"), TrialStatus.DONE))
                .containsExactly("k3");
        assertThat(store.keysWithStatus(List.of(), TrialStatus.DONE)).isEmpty();
        assertThat(store.find("k1").orElseThrow().attempts()).isEqualTo(1);
        assertThat(store.requeueRunning()).isZero();
    }

    @Test
    void countsPerStatusAndRecipe() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0), trial("k2", "dsg", "mse", 4, 0),
                new NewTrial("o1", "other", Configs.config("dsg", "mse", 8, 0))));
        store.markRunning("k1", 1, "cpu");

        assertThat(store.counts("fmnist")).containsExactly(Map.entry(TrialStatus.PENDING, 1),
                Map.entry(TrialStatus.RUNNING, 1), Map.entry(TrialStatus.DONE, 0),
                Map.entry(TrialStatus.FAILED, 0));
        assertThat(store.counts(null)).containsEntry(TrialStatus.PENDING, 2);
    }

    @Test
    void reopeningKeepsTheData() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0), trial("k2", "dsg", "mse", 4, 0)));
        store.markRunning("k1", 1, "cpu");
        store.recordSuccess("k1", 1, result(71.0, 88.0, 80.0, 1000));
        List<TrialRecord> before = store.list(TrialQuery.all());
        store.close();

        store = H2ResultStore.open(home);

        assertThat(store.list(TrialQuery.all())).isEqualTo(before);
    }

    @Test
    void listFiltersByEachColumnAndFreeText() {
        store.register(List.of(trial("aa1", "zeroq", "mse", 4, 0), trial("ab2", "dsg", "mse", 4, 0),
                trial("bb3", "zeroq", "minmax", 8, 0), trial("bb4", "genie", "brecq", 2, 1)));
        store.markRunning("bb4", 1, "cpu");

        assertThat(keys(TrialQuery.all().withGenerator("zeroq"))).containsExactly("aa1", "bb3");
        assertThat(keys(TrialQuery.all().withQuantizer("mse").withWbits(4)))
                .containsExactly("aa1", "ab2");
        assertThat(keys(TrialQuery.all().withAbits(8))).containsExactly("bb3");
        assertThat(keys(TrialQuery.all().withStatus(TrialStatus.RUNNING))).containsExactly("bb4");
        assertThat(keys(TrialQuery.all().withModel("resnet8").withProtocol("first-last-8bit")))
                .hasSize(4);
        assertThat(keys(TrialQuery.all().withRecipe("other"))).isEmpty();
        assertThat(keys(TrialQuery.all().withText("AB"))).containsExactly("ab2");
        assertThat(keys(TrialQuery.all().withText("bb"))).containsExactly("bb3", "bb4");
        assertThat(keys(TrialQuery.all().withText("ZERO"))).containsExactly("aa1", "bb3");
        assertThat(keys(TrialQuery.all().withText("zeroq minmax"))).containsExactly("bb3");
        assertThat(keys(TrialQuery.all().withText("first-last"))).hasSize(4);
        assertThat(keys(TrialQuery.all().withText("%"))).isEmpty();
        assertThat(keys(TrialQuery.all().withText("  "))).hasSize(4);
    }

    @Test
    void listSortsByMetricsWithMissingValuesLastAndPages() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0), trial("k2", "dsg", "mse", 4, 0),
                trial("k3", "genie", "mse", 4, 0), trial("k4", "gaussian", "mse", 4, 0)));
        for (String key : List.of("k1", "k2", "k3")) {
            store.markRunning(key, 1, "cpu");
        }
        store.recordSuccess("k1", 1, result(60.0, 88.0, 70.0, 1000));
        store.recordSuccess("k2", 1, result(75.0, 88.0, 85.0, 1000));
        store.recordSuccess("k3", 1, result(70.0, 88.0, 80.0, 1000));

        TrialQuery byTop1 = TrialQuery.all().withSort("top1", TrialQuery.Direction.DESC);
        assertThat(keys(byTop1)).containsExactly("k2", "k3", "k1", "k4");
        assertThat(keys(byTop1.withSort("top1", TrialQuery.Direction.ASC)))
                .containsExactly("k1", "k3", "k2", "k4");
        assertThat(keys(byTop1.withSort("drop", TrialQuery.Direction.ASC)))
                .containsExactly("k2", "k3", "k1", "k4");
        assertThat(keys(byTop1.withPage(2, 1))).containsExactly("k3", "k1");
        assertThat(keys(TrialQuery.all().withSort("generator", null)))
                .containsExactly("k2", "k4", "k3", "k1");
        assertThat(keys(TrialQuery.all())).containsExactly("k1", "k2", "k3", "k4");
    }

    @Test
    void everySortColumnOfTheQueryIsMappedToSql() {
        assertThat(H2ResultStore.LIST_ORDER.keySet()).isEqualTo(TrialQuery.LIST_SORTS);
        assertThat(Groups.ORDER.keySet())
                .isEqualTo(TrialQuery.LEADERBOARD_SORTS);
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0)));
        for (String column : TrialQuery.LIST_SORTS) {
            assertThat(keys(TrialQuery.all().withSort(column, TrialQuery.Direction.DESC)))
                    .containsExactly("k1");
        }
    }

    @Test
    void invalidSortColumnsAreNamedWithTheValidOnes() {
        assertThatThrownBy(() -> TrialQuery.all().withSort("accuracy", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown sort column 'accuracy'; valid columns: abits,")
                .hasMessageContaining("top1");
        TrialQuery byN = TrialQuery.all().withSort("n", null);
        assertThatThrownBy(() -> store.list(byN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("sort column 'n' does not apply to the trial list;"
                        + " valid columns: abits, agreement, attempts,");
        TrialQuery bySeed = TrialQuery.all().withSort("seed", null);
        assertThatThrownBy(() -> store.leaderboard(bySeed))
                .hasMessageStartingWith("sort column 'seed' does not apply to the leaderboard");
        assertThatThrownBy(() -> TrialQuery.all().withPage(-1, 0))
                .hasMessage("limit must be >= 0, got -1");
    }

    @Test
    void migrationsRunTwiceAreIdempotent() throws Exception {
        store.close();
        store = H2ResultStore.open(home);
        store.close();
        store = H2ResultStore.open(home);

        String url = "jdbc:h2:file:" + home.resolve("db/results") + ";AUTO_SERVER=TRUE";
        try (var connection = java.sql.DriverManager.getConnection(url, "sa", "");
                var statement = connection.createStatement()) {
            assertThat(Migrations.apply(connection)).isZero();
            try (var rows = statement.executeQuery(
                    "SELECT version, description FROM schema_version ORDER BY version")) {
                for (Migrations.Migration migration : Migrations.ALL) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getInt(1)).isEqualTo(migration.version());
                    assertThat(rows.getString(2)).isEqualTo(migration.description());
                }
                assertThat(rows.next()).isFalse();
            }
            try (var rows = statement.executeQuery("SELECT SETTING_VALUE"
                    + " FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("0");
            }
        }
    }

    @Test
    void inMemoryStoreIsDroppedOnClose() {
        try (H2ResultStore memory = H2ResultStore.openInMemory("results-test")) {
            memory.register(List.of(trial("k1", "zeroq", "mse", 4, 0)));
            assertThat(memory.find("k1")).isPresent();
        }
        try (H2ResultStore memory = H2ResultStore.openInMemory("results-test")) {
            assertThat(memory.find("k1")).isEmpty();
        }
        assertThatThrownBy(() -> H2ResultStore.openInMemory("a;b"))
                .hasMessage("in-memory database name must match [A-Za-z0-9_-]+: 'a;b'");
    }

    @Test
    void keysWithStatusFindsOnlyTheAskedStatus() {
        store.register(List.of(trial("k1", "zeroq", "mse", 4, 0)));

        assertThat(store.keysWithStatus(Set.of("k1"), TrialStatus.PENDING)).containsExactly("k1");
        assertThat(store.keysWithStatus(Set.of("k1"), TrialStatus.DONE)).isEmpty();
    }

    private List<String> keys(TrialQuery query) {
        return store.list(query).stream().map(TrialRecord::key).toList();
    }
}

package io.dfq.results;

import static io.dfq.results.Configs.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** One store filled once, read by every test: 3 groups of 3, 2 and 1 DONE seeds. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaderboardTest {

    private H2ResultStore store;

    @BeforeAll
    void fill(@TempDir Path home) {
        store = H2ResultStore.open(home);
        store.register(List.of(
                new NewTrial("a0", "fmnist", Configs.config("zeroq", 500, "mse", 4, 0)),
                new NewTrial("a1", "fmnist", Configs.config("zeroq", 500, "mse", 4, 1)),
                new NewTrial("a2", "fmnist", Configs.config("zeroq", 500, "mse", 4, 2)),
                new NewTrial("a3", "fmnist", Configs.config("zeroq", 500, "mse", 4, 3)),
                new NewTrial("a4", "fmnist", Configs.config("zeroq", 500, "mse", 4, 4)),
                new NewTrial("b0", "fmnist", Configs.config("dsg", 500, "mse", 4, 0)),
                new NewTrial("b1", "fmnist", Configs.config("dsg", 500, "mse", 4, 1)),
                new NewTrial("c0", "fmnist", Configs.config("zeroq", 200, "mse", 4, 0))));
        done("a0", 70, 90, 80);
        done("a1", 72, 90, 82);
        done("a2", 74, 90, 84);
        done("b0", 60, 90, 70);
        done("b1", 61, 90, 71);
        done("c0", 65, 90, 75);
        store.markRunning("a4", 1, "cpu");
        store.recordFailure("a4", 1, "diverged", false);
    }

    @AfterAll
    void close() {
        store.close();
    }

    @Test
    void groupsDoneTrialsBySeedlessConfigWithMeanAndSampleStd() {
        List<LeaderboardRow> rows = store.leaderboard(TrialQuery.all());

        assertThat(rows).extracting(LeaderboardRow::generator, LeaderboardRow::n)
                .containsExactly(tuple("zeroq", 3),
                        tuple("zeroq", 1),
                        tuple("dsg", 2));
        LeaderboardRow zeroq = rows.get(0);
        assertThat(zeroq.groupKey()).isEqualTo(store.find("a0").orElseThrow().groupKey());
        assertThat(zeroq.model()).isEqualTo("resnet8");
        assertThat(zeroq.quantizer()).isEqualTo("mse");
        assertThat(zeroq.wbits()).isEqualTo(4);
        assertThat(zeroq.abits()).isEqualTo(4);
        assertThat(zeroq.protocol()).isEqualTo("first-last-8bit");
        // top1 70, 72, 74: mean 72, sample std sqrt((4 + 0 + 4) / 2) = 2
        assertThat(zeroq.top1().mean()).isCloseTo(72.0, within(1e-9));
        assertThat(zeroq.top1().std()).isCloseTo(2.0, within(1e-9));
        assertThat(zeroq.fp32Top1().mean()).isCloseTo(90.0, within(1e-9));
        assertThat(zeroq.fp32Top1().std()).isCloseTo(0.0, within(1e-9));
        // drop 20, 18, 16
        assertThat(zeroq.drop().mean()).isCloseTo(18.0, within(1e-9));
        assertThat(zeroq.drop().std()).isCloseTo(2.0, within(1e-9));
        assertThat(zeroq.agreement().mean()).isCloseTo(82.0, within(1e-9));
        assertThat(zeroq.sizeBytes().mean()).isCloseTo(1000.0, within(1e-9));
        assertThat(zeroq.seconds().mean()).isCloseTo(14.0, within(1e-9));

        LeaderboardRow dsg = rows.get(2);
        // top1 60, 61: mean 60.5, sample std sqrt(0.5)
        assertThat(dsg.top1().mean()).isCloseTo(60.5, within(1e-9));
        assertThat(dsg.top1().std()).isCloseTo(Math.sqrt(0.5), within(1e-9));

        LeaderboardRow single = rows.get(1);
        assertThat(single.top1().mean()).isCloseTo(65.0, within(1e-9));
        assertThat(single.top1().std()).isNull();
    }

    @Test
    void variantNamesTheMethodParameterThatSeparatesGroupsOfOneMethod() {
        List<LeaderboardRow> rows = store.leaderboard(TrialQuery.all());

        assertThat(rows).extracting(LeaderboardRow::variant)
                .containsExactly("generator.iters=500", "generator.iters=200", "");
        assertThat(store.leaderboard(TrialQuery.all().withGenerator("zeroq").withPage(1, 0)))
                .extracting(LeaderboardRow::variant).containsExactly("");
    }

    @Test
    void variantNamesSharedValuesThatDifferAndMissingOnes() {
        List<String> variants = Variants.describe(List.of(
                TrialConfig.grouped("trial d0", Configs.config("dsg", "mse", 4, 0)
                        .replace("\"samples\":256", "\"samples\":1024")
                        .replace("\"lr\":0.5", "\"lr\":0.5,\"warmup\":[1,2]")),
                TrialConfig.grouped("trial b0", Configs.config("dsg", "mse", 4, 0)),
                TrialConfig.grouped("trial g0", Configs.config("gaussian", "mse", 8, 0)
                        .replace("\"lr\":0.5", "\"lr\":0.5,\"std\":1.0"))));

        assertThat(variants).containsExactly("calib.samples=1024 generator.warmup=[1,2]",
                "calib.samples=256", "calib.samples=256");
    }

    @Test
    void filtersSortsAndPagesGroups() {
        assertThat(store.leaderboard(TrialQuery.all().withGenerator("dsg")))
                .extracting(LeaderboardRow::n).containsExactly(2);
        assertThat(store.leaderboard(TrialQuery.all().withText("zeroq")))
                .extracting(LeaderboardRow::n).containsExactly(3, 1);
        assertThat(store.leaderboard(TrialQuery.all().withSort("n", TrialQuery.Direction.ASC)))
                .extracting(LeaderboardRow::n).containsExactly(1, 2, 3);
        assertThat(store.leaderboard(TrialQuery.all().withSort(null, TrialQuery.Direction.ASC)))
                .extracting(LeaderboardRow::n).containsExactly(2, 1, 3);
        assertThat(store.leaderboard(TrialQuery.all().withPage(1, 1)))
                .extracting(LeaderboardRow::n).containsExactly(1);
        assertThat(store.leaderboard(TrialQuery.all().withStatus(TrialStatus.FAILED))).isEmpty();
        assertThat(store.leaderboard(TrialQuery.all().withRecipe("other"))).isEmpty();
        for (String column : TrialQuery.LEADERBOARD_SORTS) {
            assertThat(store.leaderboard(TrialQuery.all().withSort(column, null))).hasSize(3);
        }
    }

    @Test
    void groupKeyIgnoresSeedAndKeyOrder() {
        String reordered = "{\"seed\":9,\"wbits\":4,\"teacher\":{\"seed\":0,\"epochs\":2,"
                + "\"width\":0.5,\"model\":\"resnet8\"},\"quantizer\":{\"p\":2.4,\"name\":\"mse\"},"
                + "\"protocol\":\"first-last-8bit\",\"generator\":{\"lr\":0.5,\"iters\":500,"
                + "\"name\":\"zeroq\"},\"eval\":{\"limit\":null,\"batch\":100},"
                + "\"dataset\":\"fashion-mnist\",\"calib\":{\"samples\":256,\"batch\":64},"
                + "\"abits\":4}";

        assertThat(TrialConfig.parse("r", reordered).groupKey())
                .isEqualTo(store.find("a0").orElseThrow().groupKey())
                .isNotEqualTo(store.find("c0").orElseThrow().groupKey());
    }

    private void done(String key, double top1, double fp32, double agreement) {
        store.markRunning(key, 1, "cpu");
        store.recordSuccess(key, 1, new TrialResult(
                Map.of("top1", top1, "fp32_top1", fp32, "agreement", agreement,
                        "size_bytes", 1000.0),
                result(0, 0, 0, 0).stageSeconds(), Map.of()));
    }
}

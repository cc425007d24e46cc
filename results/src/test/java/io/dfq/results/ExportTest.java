package io.dfq.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExportTest {

    private static final Instant T = Instant.parse("2025-01-02T03:04:05Z");

    private static final TrialRecord DONE = new TrialRecord("k1", "fmnist, \"w4\"", "{}",
            TrialStatus.DONE, 1, null, "cpu", "g", "resnet8", "zeroq", "mse", 4, 4,
            "first-last-8bit", 0,
            Map.of("top1", 71.25, "fp32_top1", 88.5, "agreement", 80.0, "size_bytes", 45312.0),
            Map.of("synthesis", 10.0, "quantization", 2.5), Map.of(), T, T);

    private static final TrialRecord PENDING = new TrialRecord("k2", "multi\nline|pipe", "{}",
            TrialStatus.PENDING, 0, null, null, "g", "resnet8", "dsg", "minmax", 2, 4,
            "all-layers", 1, Map.of(), Map.of(), Map.of(), T, T);

    @Test
    void csvQuotesPerRfc4180AndLeavesMissingValuesEmpty() throws IOException {
        assertThat(export("csv")).isEqualTo(""
                + "trial_key,recipe,model,generator,quantizer,wbits,abits,protocol,seed,status,"
                + "top1,fp32_top1,agreement,size_bytes,seconds,seconds_teacher,seconds_synthesis,"
                + "seconds_quantization,seconds_evaluation\r\n"
                + "k1,\"fmnist, \"\"w4\"\"\",resnet8,zeroq,mse,4,4,first-last-8bit,0,DONE,"
                + "71.25,88.5,80,45312,12.5,,10,2.5,\r\n"
                + "k2,\"multi\nline|pipe\",resnet8,dsg,minmax,2,4,all-layers,1,PENDING,,,,,,,,,\r\n");
    }

    @Test
    void jsonIsAListOfObjectsWithNumbersAndNulls() throws IOException {
        JsonNode json = JsonMapper.builder().build().readTree(export("json"));

        assertThat(json.isArray()).isTrue();
        assertThat(json).hasSize(2);
        JsonNode done = json.get(0);
        List<String> keys = new ArrayList<>(Export.COLUMNS);
        keys.add("metrics");
        assertThat(done.properties()).extracting(Map.Entry::getKey).containsExactlyElementsOf(keys);
        assertThat(done.get("metrics").get("agreement").doubleValue()).isEqualTo(80.0);
        assertThat(done.get("recipe").asText()).isEqualTo("fmnist, \"w4\"");
        assertThat(done.get("wbits").isInt()).isTrue();
        assertThat(done.get("top1").doubleValue()).isEqualTo(71.25);
        assertThat(done.get("size_bytes").isIntegralNumber()).isTrue();
        assertThat(done.get("size_bytes").longValue()).isEqualTo(45312);
        assertThat(done.get("seconds").doubleValue()).isEqualTo(12.5);
        JsonNode pending = json.get(1);
        assertThat(pending.get("top1").isNull()).isTrue();
        assertThat(pending.get("seconds").isNull()).isTrue();
        assertThat(pending.get("status").asText()).isEqualTo("PENDING");
    }

    @Test
    void markdownIsAnAlignedPipeTable() throws IOException {
        String[] lines = export("markdown").split("\n");

        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("| trial_key | recipe ").contains("| seconds |")
                .endsWith("| seconds_evaluation |");
        assertThat(lines[1]).startsWith("|-----------|-").contains("|------:|")
                .endsWith("|-------------------:|");
        assertThat(lines[2]).startsWith("| k1        | fmnist, \"w4\"")
                .contains("|      45312 |").contains("|    12.5 |").containsPattern("\\|\\s+10 \\|\\s+2\\.5 \\|");
        assertThat(lines[3]).startsWith("| k2        | multi line\\|pipe").endsWith("|                    |");
        assertThat(lines).extracting(String::length).containsOnly(lines[0].length());
    }

    @Test
    void unknownFormatNamesTheValidOnes() {
        StringWriter out = new StringWriter();

        assertThatThrownBy(() -> Export.write("xlsx", List.of(DONE), out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown export format 'xlsx'; valid formats: csv, json, markdown");
    }

    @Test
    void leaderboardTableShowsMeanPlusMinusStd() {
        LeaderboardRow row = new LeaderboardRow("g", "resnet8", "zeroq", "mse", 4, 4,
                "first-last-8bit", "generator.iters=500", 3,
                new LeaderboardRow.Stat(72.0, 2.0), new LeaderboardRow.Stat(90.0, 0.0),
                new LeaderboardRow.Stat(82.0, 2.0), new LeaderboardRow.Stat(18.0, 2.0),
                new LeaderboardRow.Stat(45312.0, 0.0), new LeaderboardRow.Stat(14.0, 0.25));
        LeaderboardRow single = new LeaderboardRow("h", "resnet8", "dsg", "mse", 2, 4,
                "all-layers", "", 1, new LeaderboardRow.Stat(60.5, null),
                new LeaderboardRow.Stat(90.0, null), new LeaderboardRow.Stat(null, null),
                new LeaderboardRow.Stat(29.5, null), new LeaderboardRow.Stat(2.5e6, null),
                new LeaderboardRow.Stat(3.0, null));

        assertThat(Tables.leaderboard(List.of(row, single))).isEqualTo("""
                | model   | generator | quantizer | W/A | protocol        | variant             \
                |   n |         top1 |         fp32 |         drop |    agreement |     size \
                |    seconds |
                |---------|-----------|-----------|----:|-----------------|---------------------\
                |----:|-------------:|-------------:|-------------:|-------------:|---------:\
                |-----------:|
                | resnet8 | zeroq     | mse       | 4/4 | first-last-8bit | generator.iters=500 \
                |   3 | 72.00 ± 2.00 | 90.00 ± 0.00 | 18.00 ± 2.00 | 82.00 ± 2.00 | 44.3 KiB \
                | 14.0 ± 0.3 |
                | resnet8 | dsg       | mse       | 2/4 | all-layers      |                     \
                |   1 |        60.50 |        90.00 |        29.50 |              | 2.38 MiB \
                |        3.0 |
                """);
        assertThat(Tables.leaderboard(List.of()).split("\n")).hasSize(2);
    }

    private static String export(String format) throws IOException {
        StringWriter out = new StringWriter();
        Export.write(format, List.of(DONE, PENDING), out);
        return out.toString();
    }
}

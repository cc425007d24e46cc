package io.dfq.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a writer in another process: a reader sees what it committed (AUTO_SERVER), and a
 * kill -9 right after a commit loses none of it (WRITE_DELAY=0; with H2's default of 500 ms the
 * last trial is lost and this test fails).
 */
class DurabilityTest {

    @TempDir
    Path home;

    @Test
    void committedWritesAreVisibleToAnotherProcessAndSurviveKill9() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process writer = new ProcessBuilder(java.toString(), "-cp",
                System.getProperty("java.class.path"), KillTarget.class.getName(),
                home.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = writer.getOutputStream()) {
            assertThat(out.readLine()).isEqualTo("committed");
            try (H2ResultStore reader = H2ResultStore.open(home)) {
                assertThat(reader.find("done").orElseThrow().status()).isEqualTo(TrialStatus.DONE);
            }
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertThat(out.readLine()).isEqualTo("committed");
        } finally {
            writer.destroyForcibly();
            assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(statusOnDisk()).containsExactly(
                Map.entry("done", "DONE 71.0"), Map.entry("late", "DONE 65.0"),
                Map.entry("running", "RUNNING null"));
    }

    /**
     * Each trial's status and top1, read from the file without taking its lock: opening it
     * through the store would first wait out H2's stale-lock check (about 4 s after a kill).
     */
    private Map<String, String> statusOnDisk() throws SQLException {
        Map<String, String> found = new TreeMap<>();
        try (Connection connection = DriverManager.getConnection("jdbc:h2:file:"
                        + home.resolve("db/results") + ";FILE_LOCK=NO", "sa", "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT trial_key, status, top1 FROM trial_view")) {
            while (rows.next()) {
                found.put(rows.getString(1), rows.getString(2) + " " + rows.getObject(3));
            }
        }
        return found;
    }
}

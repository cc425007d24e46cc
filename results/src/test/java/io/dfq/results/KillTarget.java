package io.dfq.results;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The writer process of {@link DurabilityTest}. It records trial {@code done} and leaves
 * {@code running} RUNNING, says {@code committed}, waits for a line on stdin, records trial
 * {@code late}, says {@code committed} again and waits to be killed.
 */
public final class KillTarget {

    private KillTarget() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        H2ResultStore store = H2ResultStore.open(Path.of(args[0]));
        store.register(List.of(Configs.trial("done", "zeroq", "mse", 4, 0),
                Configs.trial("running", "dsg", "mse", 4, 0),
                Configs.trial("late", "genie", "mse", 4, 0)));
        store.markRunning("done", 1, "cpu");
        store.recordSuccess("done", 1, Configs.result(71.0, 88.0, 80.0, 1000));
        store.markRunning("running", 1, "cpu");
        System.out.println("committed");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        store.markRunning("late", 1, "cpu");
        store.recordSuccess("late", 1, Configs.result(65.0, 88.0, 75.0, 1000));
        System.out.println("committed");
        Thread.sleep(60_000);
    }
}

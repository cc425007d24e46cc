package io.dfq.orchestrator;

import io.dfq.orchestrator.cli.CoordinatorCommand;
import io.dfq.orchestrator.cli.ExpandCommand;
import io.dfq.orchestrator.cli.ExportCommand;
import io.dfq.orchestrator.cli.LeaderboardCommand;
import io.dfq.orchestrator.cli.MethodsCommand;
import io.dfq.orchestrator.cli.RunCommand;
import io.dfq.orchestrator.cli.ServeCommand;
import io.dfq.orchestrator.cli.ShowCommand;
import io.dfq.orchestrator.cli.StatusCommand;
import io.dfq.orchestrator.cli.WorkerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bin/orchestrator} command line: one subcommand per verb, each a small class that
 * wires the recipe loader, the results store, the actor sweep and the DJL pipeline together.
 */
@Command(
        name = "orchestrator",
        mixinStandardHelpOptions = true,
        version = "dfq-orchestrator 0.1.0",
        description = "Data-free quantization sweeps: recipes -> trials -> results.",
        subcommands = {
            RunCommand.class,
            CoordinatorCommand.class,
            WorkerCommand.class,
            ExpandCommand.class,
            StatusCommand.class,
            LeaderboardCommand.class,
            ExportCommand.class,
            ShowCommand.class,
            ServeCommand.class,
            MethodsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {

    private Main() {}

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int execute(String... args) {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("error: " + e.getMessage());
                    return 2;
                })
                .execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}

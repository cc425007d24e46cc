package io.dfq.orchestrator.cli;

import io.dfq.results.Export;
import io.dfq.results.ResultStore;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code export}: one row per trial as CSV, JSON or Markdown, to stdout or a file. */
@Command(name = "export", description = "Export trials (one row per trial) as csv, json or markdown.")
public final class ExportCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Mixin
    FilterOptions filter;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "csv", description = "csv, json or markdown.")
    String format;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Output file (default: stdout).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Export.FORMATS.contains(format)) {
            throw new IllegalArgumentException("unknown format '" + format + "'; valid: " + String.join(", ", Export.FORMATS));
        }
        try (ResultStore store = home.openExisting()) {
            if (out == null) {
                Writer w = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
                Export.write(format, store.list(filter.query()), w);
                w.flush();
            } else {
                try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                    Export.write(format, store.list(filter.query()), w);
                }
            }
            return 0;
        }
    }
}

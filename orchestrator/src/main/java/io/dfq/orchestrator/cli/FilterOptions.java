package io.dfq.orchestrator.cli;

import io.dfq.results.TrialQuery;
import picocli.CommandLine.Option;

/** Filters and sorting shared by {@code leaderboard}, {@code export} and {@code status}. */
public final class FilterOptions {

    @Option(names = "--recipe", paramLabel = "NAME", description = "Only this recipe's trials.")
    String recipe;

    @Option(names = "--filter", paramLabel = "TEXT", description = "Free text: key prefix, model, method or protocol.")
    String text;

    @Option(names = "--model", paramLabel = "NAME")
    String model;

    @Option(names = "--generator", paramLabel = "NAME")
    String generator;

    @Option(names = "--quantizer", paramLabel = "NAME")
    String quantizer;

    @Option(names = "--protocol", paramLabel = "NAME")
    String protocol;

    @Option(names = "--wbits", paramLabel = "N")
    Integer wbits;

    @Option(names = "--abits", paramLabel = "N")
    Integer abits;

    @Option(names = "--sort", paramLabel = "COLUMN", description = "Sort column (e.g. top1, drop, seconds).")
    String sort;

    @Option(names = "--asc", description = "Ascending order (default: descending for --sort).")
    boolean ascending;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "At most N rows (default: ${DEFAULT-VALUE}).")
    int limit;

    /** The store query these options describe. */
    TrialQuery query() {
        TrialQuery q = TrialQuery.all().withRecipe(recipe).withText(text).withModel(model).withGenerator(generator)
                .withQuantizer(quantizer).withProtocol(protocol).withWbits(wbits).withAbits(abits)
                .withPage(limit, 0);
        return sort == null ? q : q.withSort(sort, ascending ? TrialQuery.Direction.ASC : TrialQuery.Direction.DESC);
    }
}

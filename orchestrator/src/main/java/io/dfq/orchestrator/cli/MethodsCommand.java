package io.dfq.orchestrator.cli;

import io.dfq.quant.generate.Generator;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.spec.Method;
import io.dfq.quant.spec.MethodRegistry;
import io.dfq.quant.spec.ParamSpec;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code methods [generator|quantizer] [--markdown]}: every recipe-selectable method with its
 * parameters, defaults and valid values, read from the methods themselves (the README's parameter
 * tables are this command's Markdown output).
 */
@Command(name = "methods", description = "List the generators and quantizers with their parameters.")
public final class MethodsCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "FAMILY", description = "generator or quantizer (default: both).")
    String family;

    @Option(names = "--markdown", description = "One Markdown table per method.")
    boolean markdown;

    @Override
    public Integer call() {
        List<MethodRegistry<? extends Method>> registries = List.of(Generator.REGISTRY, Quantizer.REGISTRY);
        boolean found = false;
        for (MethodRegistry<? extends Method> registry : registries) {
            if (family != null && !family.equals(registry.family())) {
                continue;
            }
            found = true;
            for (String name : registry.names()) {
                print(registry.family(), registry.get(name));
            }
        }
        if (!found) {
            throw new IllegalArgumentException("unknown method family '" + family + "'; valid: generator, quantizer");
        }
        return 0;
    }

    private void print(String kind, Method method) {
        if (markdown) {
            System.out.println("`" + method.name() + "`:");
            System.out.println();
            if (method.params().isEmpty()) {
                System.out.println("no parameters.");
            } else {
                System.out.println("| parameter | default | range/choices | meaning |");
                System.out.println("|---|---|---|---|");
                for (ParamSpec p : method.params()) {
                    System.out.printf("| `%s` | %s | %s | %s |%n", p.name(), value(p.defaultValue()), range(p), p.doc());
                }
            }
            System.out.println();
            return;
        }
        System.out.println(kind + " " + method.name());
        for (ParamSpec p : method.params()) {
            System.out.printf("  %-16s %-10s %-22s %s%n", p.name(), value(p.defaultValue()), range(p), p.doc());
        }
    }

    private static String value(Object v) {
        if (v == null) {
            return "unset";
        }
        return v instanceof Double d ? BigDecimal.valueOf(d).stripTrailingZeros().toPlainString() : v.toString();
    }

    private static String range(ParamSpec p) {
        return switch (p.type()) {
            case INT -> "[" + (long) p.min() + ", " + (long) p.max() + "]";
            case FLOAT -> "[" + value(p.min()) + ", " + value(p.max()) + "]";
            case BOOL -> "true, false";
            case STRING -> p.choices().isEmpty() ? "text" : String.join(", ", p.choices());
        };
    }
}

package io.dfq.results;

import static java.util.Map.entry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The leaderboard groups of a query, aggregated in Java from one scan of the DONE trials' headline
 * columns.
 *
 * <p>Reading 10,000 rows of plain columns takes H2 tens of milliseconds where its GROUP BY with a
 * dozen aggregates took half a second, and one scan serves every view of a filter: the sorted page,
 * the group count, the distinct column values, the FP32 teachers, the Pareto front and the
 * ablation. Means and sample standard deviations use Welford's update, so large sizes lose no
 * precision. Sorting keeps the SQL it replaces: missing values last in both directions, ties by
 * group key.
 */
final class Groups {

    /** Sort names of {@link TrialQuery#LEADERBOARD_SORTS} to an order of groups. */
    static final Map<String, Function<Boolean, Comparator<Group>>> ORDER = Map.ofEntries(
            entry("key", by(g -> g.key)), entry("model", by(g -> g.model)),
            entry("generator", by(g -> g.generator)), entry("quantizer", by(g -> g.quantizer)),
            entry("wbits", by(g -> g.wbits)), entry("abits", by(g -> g.abits)),
            entry("protocol", by(g -> g.protocol)), entry("n", by(g -> g.n)),
            entry("top1", by(g -> g.top1.mean())), entry("fp32_top1", by(g -> g.fp32Top1.mean())),
            entry("agreement", by(g -> g.agreement.mean())), entry("drop", by(g -> g.drop.mean())),
            entry("size_bytes", by(g -> g.sizeBytes.mean())),
            entry("seconds", by(g -> g.seconds.mean())));

    private static final String SCAN = "SELECT group_key, model, generator, quantizer, wbits, abits,"
            + " protocol, top1, fp32_top1, agreement, size_bytes, total_seconds, fp32_size_bytes"
            + " FROM trials WHERE status = 'DONE' AND ";

    private final Map<String, Group> byKey = new LinkedHashMap<>();
    /** Trials per FP32 teacher, keyed by a reference with a count of 0. */
    private final Map<Fp32Reference, Integer> teachers = new LinkedHashMap<>();
    private int trials;

    private Groups() {}

    /** The groups of the DONE trials that {@code where} selects. */
    static Groups scan(Connection c, Where where) throws SQLException {
        Groups groups = new Groups();
        try (PreparedStatement select = c.prepareStatement(SCAN + where.sql())) {
            for (int i = 0; i < where.params().size(); i++) {
                select.setObject(i + 1, where.params().get(i));
            }
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    groups.add(row);
                }
            }
        }
        return groups;
    }

    private void add(ResultSet row) throws SQLException {
        trials++;
        String key = row.getString(1);
        Group group = byKey.get(key);
        if (group == null) {
            group = new Group(key, row.getString(2), row.getString(3), row.getString(4), row.getInt(5),
                    row.getInt(6), row.getString(7));
            byKey.put(key, group);
        }
        Double top1 = row.getObject(8, Double.class);
        Double fp32 = row.getObject(9, Double.class);
        group.n++;
        group.top1.add(top1);
        group.fp32Top1.add(fp32);
        group.agreement.add(row.getObject(10, Double.class));
        group.drop.add(top1 == null || fp32 == null ? null : fp32 - top1);
        group.sizeBytes.add(row.getObject(11, Double.class));
        group.seconds.add(row.getObject(12, Double.class));
        if (fp32 != null) {
            teachers.merge(new Fp32Reference(group.model, fp32, row.getObject(13, Double.class), 0), 1,
                    Integer::sum);
        }
    }

    /** Every group, in scan order. */
    List<Group> all() {
        return List.copyOf(byKey.values());
    }

    /**
     * Every group in the order of {@code sort} (a key of {@link #ORDER}; null: top1), descending
     * when {@code descending}, ties by group key.
     */
    List<Group> sorted(String sort, boolean descending) {
        Comparator<Group> order = ORDER.get(sort == null ? "top1" : sort).apply(descending)
                .thenComparing(g -> g.key);
        return byKey.values().stream().sorted(order).toList();
    }

    /** DONE trials over all groups. */
    int trials() {
        return trials;
    }

    /** The distinct values of each grouping column, in leaderboard order, sorted (bits as numbers). */
    Map<String, List<String>> values() {
        Map<String, List<String>> values = new LinkedHashMap<>();
        values.put("model", distinct(g -> g.model));
        values.put("generator", distinct(g -> g.generator));
        values.put("quantizer", distinct(g -> g.quantizer));
        values.put("wbits", distinct(g -> g.wbits).stream().map(String::valueOf).toList());
        values.put("abits", distinct(g -> g.abits).stream().map(String::valueOf).toList());
        values.put("protocol", distinct(g -> g.protocol));
        return values;
    }

    /** One reference per FP32 teacher (model, accuracy and size), by model, best first. */
    List<Fp32Reference> references() {
        List<Fp32Reference> references = new ArrayList<>();
        teachers.forEach((t, count) -> references.add(new Fp32Reference(t.model(), t.top1(), t.sizeBytes(), count)));
        references.sort(Comparator.comparing(Fp32Reference::model)
                .thenComparing(Fp32Reference::top1, Comparator.reverseOrder()));
        return List.copyOf(references);
    }

    private <T extends Comparable<? super T>> List<T> distinct(Function<Group, T> column) {
        TreeSet<T> values = new TreeSet<>();
        byKey.values().forEach(g -> values.add(column.apply(g)));
        return List.copyOf(values);
    }

    private static <T extends Comparable<? super T>> Function<Boolean, Comparator<Group>> by(
            Function<Group, T> value) {
        return descending -> Comparator.comparing(value, Comparator.nullsLast(
                descending ? Comparator.<T>reverseOrder() : Comparator.<T>naturalOrder()));
    }

    /** One group: its columns and the running statistics of its trials. */
    static final class Group {

        final String key;
        final String model;
        final String generator;
        final String quantizer;
        final int wbits;
        final int abits;
        final String protocol;
        final Moments top1 = new Moments();
        final Moments fp32Top1 = new Moments();
        final Moments agreement = new Moments();
        final Moments drop = new Moments();
        final Moments sizeBytes = new Moments();
        final Moments seconds = new Moments();
        int n;

        private Group(String key, String model, String generator, String quantizer, int wbits, int abits,
                String protocol) {
            this.key = key;
            this.model = model;
            this.generator = generator;
            this.quantizer = quantizer;
            this.wbits = wbits;
            this.abits = abits;
            this.protocol = protocol;
        }

        /** The leaderboard line of this group. */
        LeaderboardRow row(String variant) {
            return new LeaderboardRow(key, model, generator, quantizer, wbits, abits, protocol,
                    variant, n, top1.stat(), fp32Top1.stat(), agreement.stat(), drop.stat(),
                    sizeBytes.stat(), seconds.stat());
        }
    }

    /** Count, mean and sum of squared deviations of the values reported so far (Welford). */
    static final class Moments {

        private int count;
        private double mean;
        private double squares;

        void add(Double value) {
            if (value == null) {
                return;
            }
            count++;
            double delta = value - mean;
            mean += delta / count;
            squares += delta * (value - mean);
        }

        /** The mean, null when nothing was reported. */
        Double mean() {
            return count == 0 ? null : mean;
        }

        LeaderboardRow.Stat stat() {
            return new LeaderboardRow.Stat(mean(), count < 2 ? null : Math.sqrt(squares / (count - 1)));
        }
    }
}

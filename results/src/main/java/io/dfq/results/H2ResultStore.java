package io.dfq.results;

import static java.util.Map.entry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The results store on an embedded H2 database.
 *
 * <p>One JDBC connection serves every call under a lock: the writer is a single actor and the
 * readers in the same process are few, so a pool would add settings and nothing else. Other
 * processes (the CLI {@code leaderboard}, the dashboard) open the same file: {@code AUTO_SERVER}
 * lets the first opener serve it to the others over loopback TCP. {@code WRITE_DELAY=0} makes
 * H2 write each commit to the file before returning (the default waits up to 500 ms), so a
 * {@code kill -9} loses only trials not yet recorded. Each write runs in one transaction, and a
 * guard in its WHERE clause (not DONE, not superseded) makes a repeated write change nothing.
 *
 * <p>Leaderboard views read the headline metrics from columns of {@code trials}, which a success
 * fills in the same transaction as its metric rows, and group them in Java ({@link Groups}): at
 * 10,000 trials that is one short scan per request. {@link #openReadOnly} connects as a user that
 * may only SELECT, for readers that must never write (the dashboard).
 */
public final class H2ResultStore implements ResultStore {

    private static final String COLUMNS = "trial_key, recipe, config_json, status, attempts, error,"
            + " worker, group_key, model, generator, quantizer, wbits, abits, protocol, seed,"
            + " created_at, updated_at";

    /** Sort names of {@link TrialQuery} to columns of {@code trial_view}. */
    static final Map<String, String> LIST_ORDER = Map.ofEntries(
            entry("key", "trial_key"), entry("recipe", "recipe"), entry("status", "status"),
            entry("model", "model"), entry("generator", "generator"),
            entry("quantizer", "quantizer"), entry("wbits", "wbits"), entry("abits", "abits"),
            entry("protocol", "protocol"), entry("seed", "seed"), entry("attempts", "attempts"),
            entry("created", "created_at"), entry("updated", "updated_at"),
            entry("top1", "top1"), entry("fp32_top1", "fp32_top1"),
            entry("agreement", "agreement"), entry("drop", "top1_drop"),
            entry("size_bytes", "size_bytes"), entry("seconds", "total_seconds"));

    private static final String REGISTER = """
            MERGE INTO trials t
            USING (VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)) AS s (trial_key, recipe,
                config_json, group_key, model, generator, quantizer, wbits, abits, protocol,
                seed, created_at)
            ON t.trial_key = s.trial_key
            WHEN NOT MATCHED THEN INSERT (trial_key, recipe, config_json, status, attempts,
                group_key, model, generator, quantizer, wbits, abits, protocol, seed,
                created_at, updated_at)
            VALUES (s.trial_key, s.recipe, s.config_json, 'PENDING', 0, s.group_key, s.model,
                s.generator, s.quantizer, s.wbits, s.abits, s.protocol, s.seed, s.created_at,
                s.created_at)""";

    /** Separates a trial's key from a nested result's name in that result's key ({@code KEY~w4a4}). */
    static final String NESTED = "~";

    private static final String MEMBER = "MERGE INTO recipe_trials (recipe, trial_key) KEY (recipe, trial_key)"
            + " VALUES (?, ?)";

    /** The database user of {@link #openReadOnly}: it may only SELECT (migration 3). */
    static final String READER = "DFQ_READER";

    /** Not a secret: the database file is readable anyway; the user only guards against writes. */
    static final String READER_PASSWORD = "dfq-reader";

    private static final String HEADLINE = "UPDATE trials SET top1 = ?, fp32_top1 = ?, agreement = ?,"
            + " size_bytes = ?, fp32_size_bytes = ?, total_seconds = ? WHERE trial_key = ?";

    private final Connection connection;
    private final String location;
    private final Object lock = new Object();

    private H2ResultStore(Connection connection, String location) {
        this.connection = connection;
        this.location = location;
    }

    /**
     * Opens (creating if needed) the database {@code homeDir/db/results} and brings its schema
     * up to date.
     */
    public static H2ResultStore open(Path homeDir) {
        Path dir = homeDir.toAbsolutePath().resolve("db");
        if (dir.toString().contains(";")) {
            throw new IllegalArgumentException(
                    "results home must not contain ';' (H2 URL separator): " + homeDir);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create results directory " + dir, e);
        }
        Path file = dir.resolve("results");
        return connect("jdbc:h2:file:" + file + ";AUTO_SERVER=TRUE;WRITE_DELAY=0", "sa", "",
                file.toString(), true);
    }

    /**
     * Opens the existing database {@code homeDir/db/results} for reading only, as a user that may
     * only SELECT: nothing this store does through it can change the database, even by mistake.
     * The database must exist and have this build's schema (a reader cannot migrate; opening it
     * once with {@link #open} does).
     */
    public static ResultReader openReadOnly(Path homeDir) {
        Path file = homeDir.toAbsolutePath().resolve("db").resolve("results");
        if (file.toString().contains(";")) {
            throw new IllegalArgumentException(
                    "results home must not contain ';' (H2 URL separator): " + homeDir);
        }
        return connect("jdbc:h2:file:" + file + ";AUTO_SERVER=TRUE;IFEXISTS=TRUE", READER,
                READER_PASSWORD, file.toString(), false);
    }

    /** Opens a private in-memory database, dropped when the store closes (tests, dry runs). */
    public static H2ResultStore openInMemory(String name) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException(
                    "in-memory database name must match [A-Za-z0-9_-]+: '" + name + "'");
        }
        return connect("jdbc:h2:mem:" + name, "sa", "", "mem:" + name, true);
    }

    private static H2ResultStore connect(
            String url, String user, String password, String location, boolean migrate) {
        JdbcDataSource source = new JdbcDataSource();
        source.setURL(url);
        source.setUser(user);
        source.setPassword(password);
        Connection connection;
        try {
            connection = source.getConnection();
        } catch (SQLException e) {
            throw new ResultStoreException("cannot open results database " + location, e);
        }
        try {
            if (migrate) {
                Migrations.apply(connection);
            } else {
                connection.setReadOnly(true);
                Migrations.requireCurrent(connection, location);
            }
            return new H2ResultStore(connection, location);
        } catch (SQLException e) {
            closeAfter(connection, e);
            throw new ResultStoreException(
                    "cannot " + (migrate ? "migrate" : "read") + " results database " + location, e);
        } catch (RuntimeException e) {
            closeAfter(connection, e);
            throw e;
        }
    }

    private static void closeAfter(Connection connection, Exception failure) {
        try {
            connection.close();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public void register(List<NewTrial> trials) {
        if (trials.isEmpty()) {
            return;
        }
        List<TrialConfig> configs =
                trials.stream().map(t -> TrialConfig.parse(t.key(), t.configJson())).toList();
        write("register " + trials.size() + " trials", c -> {
            OffsetDateTime now = now();
            try (PreparedStatement merge = c.prepareStatement(REGISTER);
                    PreparedStatement member = c.prepareStatement(MEMBER)) {
                for (int i = 0; i < trials.size(); i++) {
                    NewTrial trial = trials.get(i);
                    TrialConfig config = configs.get(i);
                    bind(merge, trial.key(), trial.recipe(), trial.configJson(), config.groupKey(),
                            config.model(), config.generator(), config.quantizer(),
                            config.wbits(), config.abits(), config.protocol(), config.seed(), now);
                    merge.addBatch();
                    bind(member, trial.recipe(), trial.key());
                    member.addBatch();
                }
                merge.executeBatch();
                member.executeBatch();
            }
            return null;
        });
    }

    @Override
    public int retainOnly(String recipe, Collection<String> keys) {
        Object[] array = keys.toArray(new String[0]);
        return write("retain " + keys.size() + " trials of recipe " + recipe, c -> update(c,
                "DELETE FROM recipe_trials WHERE recipe = ? AND NOT trial_key = ANY(?) AND NOT (LOCATE(?, trial_key) > 0"
                        + " AND LEFT(trial_key, LOCATE(?, trial_key) - 1) = ANY(?))",
                recipe, array, NESTED, NESTED, array));
    }

    @Override
    public void reset(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        Object[] array = keys.toArray(new String[0]);
        write("reset " + keys.size() + " trials", c -> {
            update(c, "DELETE FROM trials WHERE LOCATE(?, trial_key) > 0"
                    + " AND LEFT(trial_key, LOCATE(?, trial_key) - 1) = ANY(?)", NESTED, NESTED, array);
            for (String table : List.of("metrics", "stages", "artifacts")) {
                update(c, "DELETE FROM " + table + " WHERE trial_key = ANY(?)", (Object) array);
            }
            update(c, "UPDATE trials SET status = 'PENDING', attempts = 0, error = NULL,"
                    + " worker = NULL, top1 = NULL, fp32_top1 = NULL, agreement = NULL,"
                    + " size_bytes = NULL, fp32_size_bytes = NULL, total_seconds = NULL,"
                    + " updated_at = ? WHERE trial_key = ANY(?)", now(), array);
            return null;
        });
    }

    @Override
    public int requeueRunning() {
        return write("requeue running trials", c -> update(c,
                "UPDATE trials SET status = 'PENDING', updated_at = ? WHERE status = 'RUNNING'",
                now()));
    }

    @Override
    public void markRunning(String key, int attempt, String worker) {
        write("mark " + key + " running", c -> {
            int changed = update(c, "UPDATE trials SET status = 'RUNNING', attempts = ?,"
                    + " worker = ?, updated_at = ? WHERE trial_key = ? AND status <> 'DONE'",
                    attempt, worker, now(), key);
            if (changed == 0) {
                requireExists(c, key);
            }
            return null;
        });
    }

    @Override
    public void recordSuccess(String key, int attempt, TrialResult result) {
        write("record success of " + key, c -> {
            int changed = update(c, "UPDATE trials SET status = 'DONE',"
                    + " attempts = GREATEST(attempts, ?), error = NULL, updated_at = ?"
                    + " WHERE trial_key = ? AND status <> 'DONE'", attempt, now(), key);
            if (changed == 0) {
                requireExists(c, key);
                return null;
            }
            insertResult(c, key, result.metrics(), result.stageSeconds(), result.artifacts());
            for (TrialResult.Nested nested : result.nested()) {
                recordNested(c, key, attempt, result.stageSeconds(), nested);
            }
            return null;
        });
    }

    /**
     * Writes {@code nested}, a result of trial {@code parent}, as a DONE trial of its own: key {@code
     * parent~name}, the parent's config with the nested bit-widths and {@code nested_of} naming the
     * parent, the parent's recipes and stage times. A row left by an earlier success of the parent
     * (before a reset) is replaced.
     */
    private static void recordNested(Connection c, String parent, int attempt, Map<String, Double> stageSeconds,
            TrialResult.Nested nested) throws SQLException {
        String key = parent + NESTED + nested.name();
        String recipe;
        ObjectNode config;
        try (PreparedStatement select =
                c.prepareStatement("SELECT recipe, config_json FROM trials WHERE trial_key = ?")) {
            bind(select, parent);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                recipe = row.getString(1);
                config = TrialConfig.object("trial " + parent, row.getString(2));
            }
        }
        config.put("wbits", nested.wbits()).put("abits", nested.abits()).put(TrialConfig.NESTED_OF, parent);
        String json = TrialConfig.canonical(config);
        TrialConfig columns = TrialConfig.parse(key, json);
        OffsetDateTime now = now();
        update(c, "DELETE FROM trials WHERE trial_key = ?", key);
        update(c, "INSERT INTO trials (trial_key, recipe, config_json, status, attempts, group_key, model, generator,"
                + " quantizer, wbits, abits, protocol, seed, created_at, updated_at)"
                + " VALUES (?, ?, ?, 'DONE', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", key, recipe, json, attempt,
                columns.groupKey(), columns.model(), columns.generator(), columns.quantizer(), columns.wbits(),
                columns.abits(), columns.protocol(), columns.seed(), now, now);
        update(c, "INSERT INTO recipe_trials (recipe, trial_key) SELECT recipe, ? FROM recipe_trials"
                + " WHERE trial_key = ?", key, parent);
        insertResult(c, key, nested.metrics(), stageSeconds, nested.artifacts());
    }

    /** The metric, stage and artifact rows of a success, and its headline columns. */
    private static void insertResult(Connection c, String key, Map<String, Double> metrics,
            Map<String, Double> stageSeconds, Map<String, String> artifacts) throws SQLException {
        insertAll(c, "INSERT INTO metrics (trial_key, name, metric_value) VALUES (?, ?, ?)", key, metrics);
        insertAll(c, "INSERT INTO stages (trial_key, stage, seconds) VALUES (?, ?, ?)", key, stageSeconds);
        insertAll(c, "INSERT INTO artifacts (trial_key, name, path) VALUES (?, ?, ?)", key, artifacts);
        update(c, HEADLINE, metrics.get("top1"), metrics.get("fp32_top1"), metrics.get("agreement"),
                metrics.get("size_bytes"), metrics.get("fp32_size_bytes"), stageSeconds.isEmpty()
                        ? null : stageSeconds.values().stream().mapToDouble(v -> v).sum(),
                key);
    }

    @Override
    public void recordFailure(String key, int attempt, String error, boolean willRetry) {
        TrialStatus next = willRetry ? TrialStatus.PENDING : TrialStatus.FAILED;
        write("record failure of " + key, c -> {
            int changed = update(c, "UPDATE trials SET status = ?,"
                    + " attempts = GREATEST(attempts, ?), error = ?, updated_at = ?"
                    + " WHERE trial_key = ? AND status <> 'DONE' AND attempts <= ?",
                    next.name(), attempt, error, now(), key, attempt);
            if (changed == 0) {
                requireExists(c, key);
            }
            return null;
        });
    }

    @Override
    public Set<String> keysWithStatus(Collection<String> keys, TrialStatus status) {
        if (keys.isEmpty()) {
            return Set.of();
        }
        return read("keys with status " + status, c -> {
            Set<String> found = new HashSet<>();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT trial_key FROM trials WHERE status = ? AND trial_key = ANY(?)")) {
                bind(select, status.name(), keys.toArray(new String[0]));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        found.add(rows.getString(1));
                    }
                }
            }
            return Set.copyOf(found);
        });
    }

    @Override
    public Optional<TrialRecord> find(String key) {
        return read("find " + key, c -> records(c, "SELECT " + COLUMNS
                + " FROM trial_view WHERE trial_key = ?", key).stream().findFirst());
    }

    @Override
    public List<TrialRecord> list(TrialQuery query) {
        String sort = query.sortIn(LIST_ORDER.keySet(), "the trial list");
        String order = sort == null ? "seq" : LIST_ORDER.get(sort);
        TrialQuery.Direction direction =
                query.direction() == null ? TrialQuery.Direction.ASC : query.direction();
        Where where = Where.of(query);
        String sql = "SELECT " + COLUMNS + " FROM trial_view WHERE " + where.sql()
                + " ORDER BY " + order + " " + direction + " NULLS LAST, seq LIMIT ? OFFSET ?";
        List<Object> params = new ArrayList<>(where.params());
        params.add(query.limit());
        params.add(query.offset());
        return read("list trials", c -> records(c, sql, params.toArray()));
    }

    @Override
    public Map<TrialStatus, Integer> counts(String recipe) {
        String sql = "SELECT status, COUNT(*) FROM trials"
                + (recipe == null ? "" : " WHERE trial_key IN (SELECT trial_key FROM recipe_trials WHERE recipe = ?)")
                + " GROUP BY status";
        return read("count trials", c -> {
            Map<TrialStatus, Integer> counts = new EnumMap<>(TrialStatus.class);
            for (TrialStatus status : TrialStatus.values()) {
                counts.put(status, 0);
            }
            try (PreparedStatement select = c.prepareStatement(sql)) {
                bind(select, recipe == null ? new Object[0] : new Object[] {recipe});
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        counts.put(TrialStatus.valueOf(rows.getString(1)), rows.getInt(2));
                    }
                }
            }
            return Collections.unmodifiableMap(counts);
        });
    }

    @Override
    public List<String> recipes() {
        return read("list recipes", c -> {
            List<String> recipes = new ArrayList<>();
            try (PreparedStatement select =
                            c.prepareStatement("SELECT DISTINCT recipe FROM recipe_trials ORDER BY recipe");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    recipes.add(rows.getString(1));
                }
            }
            return List.copyOf(recipes);
        });
    }

    @Override
    public List<LeaderboardRow> leaderboard(TrialQuery query) {
        return leaderboardPage(query).rows();
    }

    @Override
    public LeaderboardPage leaderboardPage(TrialQuery query) {
        String sort = query.sortIn(TrialQuery.LEADERBOARD_SORTS, "the leaderboard");
        boolean descending = query.direction() != null ? query.direction() == TrialQuery.Direction.DESC
                : sort == null;
        Where where = Where.of(query);
        return read("leaderboard", c -> {
            Groups groups = Groups.scan(c, where);
            List<Groups.Group> sorted = groups.sorted(sort, descending);
            List<Groups.Group> page = sorted.subList(Math.min(query.offset(), sorted.size()),
                    (int) Math.min((long) query.offset() + query.limit(), sorted.size()));
            Map<String, String> configs = configs(c, "group_key = ANY(?)",
                    List.of((Object) page.stream().map(g -> g.key).toArray(String[]::new)));
            List<String> variants = Variants.describe(page.stream()
                    .map(g -> TrialConfig.grouped("group " + g.key, configs.get(g.key)))
                    .toList());
            List<LeaderboardRow> rows = new ArrayList<>();
            for (int i = 0; i < page.size(); i++) {
                rows.add(page.get(i).row(variants.get(i)));
            }
            return new LeaderboardPage(rows, sorted.size(), groups.trials(), groups.values(),
                    groups.references());
        });
    }

    @Override
    public List<ParetoPoint> pareto(TrialQuery query) {
        Where where = Where.of(query);
        return read("pareto front", c -> ParetoPoint.mark(Groups.scan(c, where).all().stream()
                .filter(g -> g.top1.mean() != null && g.sizeBytes.mean() != null)
                .map(g -> new ParetoPoint(g.key, g.model, g.generator, g.quantizer, g.wbits, g.abits,
                        g.protocol, g.n, g.sizeBytes.mean(), g.top1.mean(), false))
                .toList()));
    }

    @Override
    public Ablation ablation(TrialQuery query, String metric) {
        Where where = Where.of(query);
        return read("ablation", c -> Ablations.ablation(metric, Groups.scan(c, where).all(),
                configs(c, where.sql(), where.params())));
    }

    @Override
    public ParallelTrials parallel(TrialQuery query) {
        return Ablations.parallel(list(query.withStatus(TrialStatus.DONE)));
    }

    /** A stored config of each group with a DONE trial matching {@code condition}, by group key. */
    private static Map<String, String> configs(Connection c, String condition, List<Object> params)
            throws SQLException {
        Map<String, String> configs = new HashMap<>();
        try (PreparedStatement select = c.prepareStatement("SELECT group_key, config_json FROM trials"
                + " WHERE status = 'DONE' AND " + condition)) {
            bind(select, params.toArray());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    configs.putIfAbsent(rows.getString(1), rows.getString(2));
                }
            }
        }
        return configs;
    }

    @Override
    public void close() {
        synchronized (lock) {
            try {
                connection.close();
            } catch (SQLException e) {
                throw new ResultStoreException("cannot close results database " + location, e);
            }
        }
    }

    private static List<TrialRecord> records(Connection c, String sql, Object... params)
            throws SQLException {
        List<TrialRecord> bare = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(sql)) {
            bind(select, params);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    bare.add(bare(rows));
                }
            }
        }
        String[] keys = bare.stream().map(TrialRecord::key).toArray(String[]::new);
        Map<String, Map<String, Double>> metrics = children(c,
                "SELECT trial_key, name, metric_value FROM metrics WHERE trial_key = ANY(?)",
                keys, Double.class);
        Map<String, Map<String, Double>> stages = children(c,
                "SELECT trial_key, stage, seconds FROM stages WHERE trial_key = ANY(?)",
                keys, Double.class);
        Map<String, Map<String, String>> artifacts = children(c,
                "SELECT trial_key, name, path FROM artifacts WHERE trial_key = ANY(?)",
                keys, String.class);
        return bare.stream().map(r -> new TrialRecord(r.key(), r.recipe(), r.configJson(),
                r.status(), r.attempts(), r.error(), r.worker(), r.groupKey(), r.model(),
                r.generator(), r.quantizer(), r.wbits(), r.abits(), r.protocol(), r.seed(),
                metrics.getOrDefault(r.key(), Map.of()), stages.getOrDefault(r.key(), Map.of()),
                artifacts.getOrDefault(r.key(), Map.of()), r.created(), r.updated()))
                .toList();
    }

    /** A trial row of {@link #COLUMNS}, without metrics, stages and artifacts. */
    private static TrialRecord bare(ResultSet row) throws SQLException {
        return new TrialRecord(row.getString(1), row.getString(2), row.getString(3),
                TrialStatus.valueOf(row.getString(4)), row.getInt(5), row.getString(6),
                row.getString(7), row.getString(8), row.getString(9), row.getString(10),
                row.getString(11), row.getInt(12), row.getInt(13), row.getString(14),
                row.getInt(15), Map.of(), Map.of(), Map.of(), instant(row, 16), instant(row, 17));
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        return row.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static <V> Map<String, Map<String, V>> children(
            Connection c, String sql, String[] keys, Class<V> type) throws SQLException {
        Map<String, Map<String, V>> byKey = new HashMap<>();
        if (keys.length == 0) {
            return byKey;
        }
        try (PreparedStatement select = c.prepareStatement(sql)) {
            bind(select, (Object) keys);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    byKey.computeIfAbsent(rows.getString(1), k -> new HashMap<>())
                            .put(rows.getString(2), rows.getObject(3, type));
                }
            }
        }
        return byKey;
    }

    private static void insertAll(Connection c, String sql, String key, Map<String, ?> values)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            for (Map.Entry<String, ?> value : values.entrySet()) {
                bind(insert, key, value.getKey(), value.getValue());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void requireExists(Connection c, String key) throws SQLException {
        try (PreparedStatement select =
                c.prepareStatement("SELECT 1 FROM trials WHERE trial_key = ?")) {
            bind(select, key);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalArgumentException("no trial with key " + key);
                }
            }
        }
    }

    private static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, params);
            return statement.executeUpdate();
        }
    }

    private static void bind(PreparedStatement statement, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            statement.setObject(i + 1, params[i]);
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.ofInstant(
                Instant.now().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    /** A unit of JDBC work. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(String what, Work<T> work) {
        synchronized (lock) {
            try {
                return work.run(connection);
            } catch (SQLException e) {
                throw new ResultStoreException(what + " failed on " + location, e);
            }
        }
    }

    private <T> T write(String what, Work<T> work) {
        synchronized (lock) {
            try {
                connection.setAutoCommit(false);
                try {
                    T result = work.run(connection);
                    connection.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    try {
                        connection.rollback();
                    } catch (SQLException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
            } catch (SQLException e) {
                throw new ResultStoreException(what + " failed on " + location, e);
            }
        }
    }
}

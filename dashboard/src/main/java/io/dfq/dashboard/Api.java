package io.dfq.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.results.Ablation;
import io.dfq.results.LeaderboardPage;
import io.dfq.results.ResultReader;
import io.dfq.results.TrialQuery;
import io.dfq.results.TrialRecord;
import io.dfq.results.TrialStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON API behind every page; each method answers one endpoint of {@code /api/}.
 *
 * <p>Responses are built from the store's records with Jackson, shaped for the pages (a
 * leaderboard page carries its totals, the trial page its loss terms) so that a page needs one
 * request per view. Only {@link ResultReader} methods are called: the API cannot write.
 */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern LOSS = Pattern.compile("synthesis_loss_(.+)_(initial|final)");
    private static final Pattern EPOCH = Pattern.compile("(.+)_epoch_(\\d+)");

    private final ResultReader reader;
    private final Assets assets;

    Api(ResultReader reader, Assets assets) {
        this.reader = reader;
        this.assets = assets;
    }

    /** {@code /api/leaderboard}: a page of groups with totals, differing columns and FP32 teachers. */
    ObjectNode leaderboard(Params params) {
        TrialQuery query = params.query();
        LeaderboardPage page = reader.leaderboardPage(query);
        ObjectNode out = JSON.createObjectNode();
        out.put("groups", page.groups()).put("trials", page.trials())
                .put("offset", query.offset()).put("limit", query.limit());
        out.set("rows", JSON.valueToTree(page.rows()));
        out.set("values", JSON.valueToTree(page.values()));
        ArrayNode differing = out.putArray("differing");
        page.values().keySet().stream().filter(page::differs).forEach(differing::add);
        out.set("references", JSON.valueToTree(page.references()));
        return out;
    }

    /** {@code /api/trials}: trials matching the filters, one summary each. */
    ArrayNode trials(Params params) {
        return summaries(reader.list(params.query()));
    }

    private static ArrayNode summaries(List<TrialRecord> trials) {
        ArrayNode out = JSON.createArrayNode();
        for (TrialRecord trial : trials) {
            ObjectNode row = out.addObject();
            row.put("key", trial.key()).put("recipe", trial.recipe()).put("status", trial.status().name())
                    .put("seed", trial.seed()).put("attempts", trial.attempts()).put("worker", trial.worker())
                    .put("model", trial.model()).put("generator", trial.generator())
                    .put("quantizer", trial.quantizer()).put("wbits", trial.wbits()).put("abits", trial.abits())
                    .put("updated", trial.updated().toString());
            trial.metric("top1").ifPresent(v -> row.put("top1", v));
            trial.metric("agreement").ifPresent(v -> row.put("agreement", v));
        }
        return out;
    }

    /** {@code /api/trials/KEY}: everything about one trial. */
    ObjectNode trial(String key) {
        TrialRecord trial = find(key);
        ObjectNode out = JSON.createObjectNode();
        out.put("key", trial.key()).put("recipe", trial.recipe()).put("status", trial.status().name())
                .put("attempts", trial.attempts()).put("error", trial.error()).put("worker", trial.worker())
                .put("groupKey", trial.groupKey()).put("created", trial.created().toString())
                .put("updated", trial.updated().toString());
        out.set("config", config(trial));
        out.set("metrics", JSON.valueToTree(trial.metrics()));
        out.set("stages", JSON.valueToTree(trial.stageSeconds()));
        ArrayNode losses = out.putArray("losses");
        Map<String, ObjectNode> byTerm = new TreeMap<>();
        trial.metrics().forEach((name, value) -> {
            Matcher m = LOSS.matcher(name);
            if (m.matches()) {
                byTerm.computeIfAbsent(m.group(1), term -> JSON.createObjectNode().put("term", term))
                        .put(m.group(2), value);
            }
        });
        byTerm.values().forEach(losses::add);
        out.set("curves", curves(trial.metrics()));
        ArrayNode artifacts = out.putArray("artifacts");
        trial.artifacts().forEach((name, path) -> {
            ObjectNode a = artifacts.addObject().put("name", name).put("path", path);
            a.put("url", assets.isFile(path) ? "/api/trials/" + trial.key() + "/artifacts/" + name : null);
        });
        return out;
    }

    /**
     * Training curves from metrics named {@code SERIES_epoch_K} (QAT's per-epoch losses): one object
     * per series, {@code {"name": SERIES, "values": [epoch 1, epoch 2, ...]}}, null where an epoch is
     * missing.
     */
    static ArrayNode curves(Map<String, Double> metrics) {
        Map<String, TreeMap<Integer, Double>> series = new TreeMap<>();
        metrics.forEach((name, value) -> {
            Matcher m = EPOCH.matcher(name);
            if (m.matches()) {
                series.computeIfAbsent(m.group(1), n -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), value);
            }
        });
        ArrayNode out = JSON.createArrayNode();
        series.forEach((name, points) -> {
            ArrayNode values = out.addObject().put("name", name).putArray("values");
            for (int epoch = 1; epoch <= points.lastKey(); epoch++) {
                Double v = points.get(epoch);
                if (v == null) {
                    values.addNull();
                } else {
                    values.add(v);
                }
            }
        });
        return out;
    }

    /** {@code /api/trials/KEY/artifacts/NAME}: the artifact file itself. */
    Reply artifact(String key, String name) {
        String path = find(key).artifacts().get(name);
        if (path == null) {
            throw HttpError.notFound("trial " + key + " has no artifact " + name);
        }
        return assets.artifact(path);
    }

    /** {@code /api/pareto}: every matching group as a point, the front marked. */
    JsonNode pareto(Params params) {
        return JSON.valueToTree(reader.pareto(params.query()));
    }

    /** {@code /api/ablation}: the ablation table of the matching groups. */
    Ablation ablation(Params params) {
        String metric = params.get("metric");
        return reader.ablation(params.query(), metric == null ? "top1" : metric);
    }

    /** {@code /api/parallel}: the matching DONE trials as parallel-coordinate lines. */
    JsonNode parallel(Params params) {
        return JSON.valueToTree(reader.parallel(params.query()));
    }

    /** {@code /api/recipes}: every recipe with its trial counts per status. */
    ArrayNode recipes() {
        ArrayNode out = JSON.createArrayNode();
        for (String recipe : reader.recipes()) {
            ObjectNode row = out.addObject().put("name", recipe);
            row.set("counts", JSON.valueToTree(reader.counts(recipe)));
        }
        return out;
    }

    /**
     * {@code /api/progress} and the live feed's snapshot: counts of the recipes that have trials
     * not yet finished, and the running trials.
     */
    ObjectNode progress() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode recipes = out.putArray("recipes");
        for (String recipe : reader.recipes()) {
            Map<TrialStatus, Integer> counts = reader.counts(recipe);
            if (counts.get(TrialStatus.PENDING) + counts.get(TrialStatus.RUNNING) > 0) {
                recipes.addObject().put("name", recipe).set("counts", JSON.valueToTree(counts));
            }
        }
        out.set("running", summaries(reader.list(TrialQuery.all().withStatus(TrialStatus.RUNNING).withPage(100, 0))));
        return out;
    }

    private TrialRecord find(String key) {
        return reader.find(key).orElseThrow(() -> HttpError.notFound("no trial with key " + key));
    }

    private static JsonNode config(TrialRecord trial) {
        try {
            return JSON.readTree(trial.configJson());
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(trial.configJson());
        }
    }

    /** {@code value} as JSON text. */
    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** The file name stem of an ablation download: with the recipe's name when there is one. */
    static String stem(Params params) {
        String recipe = params.get("recipe");
        return "ablation" + (recipe == null ? "" : "-" + recipe.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

}

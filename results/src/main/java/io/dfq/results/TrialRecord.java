package io.dfq.results;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One trial as stored: its identity, where it stands, the columns derived from its config and,
 * once DONE, what it produced.
 *
 * <p>The derived columns duplicate parts of {@code configJson} on purpose: readers (CLI tables,
 * dashboard, exports) get them typed without parsing JSON. Maps are sorted by name so that every
 * rendering of a record is stable.
 *
 * @param key the trial key
 * @param recipe the recipe that registered it
 * @param configJson the resolved config, as registered
 * @param status where it stands
 * @param attempts attempts started so far (0 when never run)
 * @param error the last failure, or null
 * @param worker the worker that ran it last, or null
 * @param groupKey sha256 of the canonical config without {@code seed}: its leaderboard group
 * @param model {@code config.teacher.model}
 * @param generator {@code config.generator.name}
 * @param quantizer {@code config.quantizer.name}
 * @param wbits {@code config.wbits}
 * @param abits {@code config.abits}
 * @param protocol {@code config.protocol}
 * @param seed {@code config.seed}
 * @param metrics named metrics; accuracies in percent (0..100)
 * @param stageSeconds wall seconds per stage
 * @param artifacts artifact name to path (relative to the artifact root)
 * @param created when it was registered
 * @param updated when its row last changed
 */
public record TrialRecord(
        String key,
        String recipe,
        String configJson,
        TrialStatus status,
        int attempts,
        String error,
        String worker,
        String groupKey,
        String model,
        String generator,
        String quantizer,
        int wbits,
        int abits,
        String protocol,
        int seed,
        Map<String, Double> metrics,
        Map<String, Double> stageSeconds,
        Map<String, String> artifacts,
        Instant created,
        Instant updated) {

    public TrialRecord {
        metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
        stageSeconds = Collections.unmodifiableMap(new TreeMap<>(stageSeconds));
        artifacts = Collections.unmodifiableMap(new TreeMap<>(artifacts));
    }

    /** The metric {@code name}, if the trial reported it. */
    public Optional<Double> metric(String name) {
        return Optional.ofNullable(metrics.get(name));
    }

    /** Wall seconds over all stages (0 when none was recorded). */
    public double seconds() {
        return stageSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}

package io.dfq.actors;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * How a sweep runs on this machine. A record validated once, in its constructor, so that a bad
 * value fails before any actor starts and the message names the configuration key to fix; the
 * defaults come from {@code reference.conf} through {@link #fromConfig(Config)} and the CLI
 * overrides single values with the {@code with...} methods.
 *
 * @param workers worker slots, each running one trial at a time ({@code dfq.workers}, at least 1)
 * @param maxAttempts attempts per trial before it is FAILED ({@code dfq.max-attempts}, at least 1)
 * @param trialTimeout wall-clock limit of one attempt, {@link Duration#ZERO} for none ({@code
 *     dfq.trial-timeout})
 */
public record Settings(int workers, int maxAttempts, Duration trialTimeout) {

    public Settings {
        Objects.requireNonNull(trialTimeout, "dfq.trial-timeout");
        if (workers < 1) {
            throw new IllegalArgumentException("dfq.workers must be at least 1, got " + workers);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("dfq.max-attempts must be at least 1, got " + maxAttempts);
        }
        if (trialTimeout.isNegative()) {
            throw new IllegalArgumentException("dfq.trial-timeout must not be negative, got " + trialTimeout);
        }
    }

    /** Reads {@code dfq.workers}, {@code dfq.max-attempts} and {@code dfq.trial-timeout}. */
    public static Settings fromConfig(Config config) {
        return new Settings(
                config.getInt("dfq.workers"),
                config.getInt("dfq.max-attempts"),
                config.getDuration("dfq.trial-timeout"));
    }

    public Settings withWorkers(int value) {
        return new Settings(value, maxAttempts, trialTimeout);
    }

    public Settings withMaxAttempts(int value) {
        return new Settings(workers, value, trialTimeout);
    }

    public Settings withTrialTimeout(Duration value) {
        return new Settings(workers, maxAttempts, value);
    }

    /** Whether attempts are limited in time. */
    public boolean hasTrialTimeout() {
        return !trialTimeout.isZero();
    }
}

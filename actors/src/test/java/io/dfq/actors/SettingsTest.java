package io.dfq.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Settings defaults and validation, and the one-line failure reasons. */
class SettingsTest {

    @Test
    void defaultsComeFromReferenceConf() {
        Settings settings = Settings.fromConfig(ConfigFactory.load());

        assertThat(settings).isEqualTo(new Settings(1, 2, Duration.ZERO));
        assertThat(settings.hasTrialTimeout()).isFalse();
        assertThat(ConfigFactory.load().getDuration("dfq.ask-timeout")).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void overridesKeepTheOtherValues() {
        Settings settings =
                new Settings(1, 2, Duration.ZERO).withWorkers(3).withTrialTimeout(Duration.ofMinutes(5));

        assertThat(settings).isEqualTo(new Settings(3, 2, Duration.ofMinutes(5)));
        assertThat(settings.hasTrialTimeout()).isTrue();
    }

    @Test
    void rejectsBadValuesNamingTheKey() {
        assertThatThrownBy(() -> new Settings(0, 2, Duration.ZERO))
                .hasMessage("dfq.workers must be at least 1, got 0");
        assertThatThrownBy(() -> new Settings(1, 0, Duration.ZERO))
                .hasMessage("dfq.max-attempts must be at least 1, got 0");
        assertThatThrownBy(() -> new Settings(1, 1, Duration.ofSeconds(-1)))
                .hasMessageStartingWith("dfq.trial-timeout must not be negative");
    }

    @Test
    void failuresAreDescribedByTheirRootCause() {
        Throwable wrapped =
                new CompletionException(new RuntimeException("outer", new IllegalArgumentException("bad bits")));

        assertThat(Failures.describe(wrapped)).isEqualTo("IllegalArgumentException: bad bits");
        assertThat(Failures.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
    }
}

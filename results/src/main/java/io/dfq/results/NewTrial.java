package io.dfq.results;

import java.util.Objects;

/** A trial to register: its key, the recipe that produced it and its resolved config as JSON. */
public record NewTrial(String key, String recipe, String configJson) {

    public NewTrial {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(recipe, () -> "recipe of trial " + key);
        Objects.requireNonNull(configJson, () -> "configJson of trial " + key);
        if (key.isBlank()) {
            throw new IllegalArgumentException("trial key is blank (recipe " + recipe + ")");
        }
    }
}

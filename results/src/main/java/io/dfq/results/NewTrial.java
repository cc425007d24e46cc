package io.dfq.results;

/** A trial to register: its key, the recipe that produced it and its resolved config as JSON. */
public record NewTrial(String key, String recipe, String configJson) {}

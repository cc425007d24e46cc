package io.dfq.quant.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A recipe-selectable method (a generator, a quantizer...): a name, a paper and its parameters.
 *
 * <p>Implementations are found by name through {@link java.util.ServiceLoader}; adding a method is
 * one class plus one line in {@code META-INF/services}.
 */
public interface Method {

    /** The name used in recipes, e.g. {@code zeroq}. */
    String name();

    /** The parameters with their defaults; the recipe may set any of them and no others. */
    List<ParamSpec> params();

    /**
     * Why this method cannot serve the given fully resolved trial (e.g. BN losses on a BN-free
     * model), or empty when it can. Checked at recipe validation.
     */
    default Optional<String> unsupportedReason(JsonNode trialConfig) {
        return Optional.empty();
    }
}

package io.dfq.quant.generate;

import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.spec.Method;
import java.util.Optional;

/** The check shared by BN-statistics generators: the teacher must have BatchNorm layers. */
final class BnRequirement {

    private BnRequirement() {}

    /** At recipe validation: the trial's teacher model must have BN. */
    static Optional<String> check(Method m, JsonNode trial) {
        String model = trial.path("teacher").path("model").asText("");
        if (!model.isEmpty() && !Models.hasBatchNorm(model)) {
            return Optional.of("generator '" + m.name() + "' matches BatchNorm statistics, but model '"
                    + model + "' has no BatchNorm layers");
        }
        return Optional.empty();
    }

    /** At run time, for networks built by hand. */
    static void require(Method m, Net net) {
        if (!net.hasBatchNorm()) {
            throw new IllegalArgumentException("generator '" + m.name() + "' needs BatchNorm layers; "
                    + net.arch() + " has none");
        }
    }
}

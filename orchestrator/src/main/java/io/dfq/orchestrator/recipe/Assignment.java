package io.dfq.orchestrator.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.spec.Method;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.TrialSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One key of a patch, bound to its place in the schema: a plain value, a slot's method, or a
 * parameter of whatever method the slot holds.
 *
 * <p>Recipes write the same thing several ways ({@code teacher: {model: x}}, {@code teacher.model:
 * x}; {@code generator: zeroq}, {@code generator: {name: zeroq}}); compiling each of them to these
 * three cases once means expansion, exclude and when handle one form only. A method parameter
 * stays unchecked until it meets a trial, because which method it belongs to is only known there.
 */
sealed interface Assignment permits Assignment.SetValue, Assignment.SetMethod, Assignment.SetParam {

    /** The dotted key assigned: {@code teacher.model}, {@code generator}, {@code generator.iters}. */
    String target();

    /** Where the key was written. */
    SourcePosition keyPosition();

    /** The value as trial labels show it. */
    String shownValue();

    /** Writes the value into {@code trial}; problems found there go to {@code problems}. */
    void applyTo(TrialState trial, Problems problems);

    /** Whether {@code trial} already holds the value (exclude and when conditions). */
    boolean matches(TrialState trial, Problems problems);

    /** A leaf value, already checked against its spec and in canonical form. */
    record SetValue(List<String> path, JsonNode value, SourcePosition keyPosition) implements Assignment {

        public SetValue {
            path = List.copyOf(path);
        }

        @Override
        public String target() {
            return String.join(".", path);
        }

        @Override
        public String shownValue() {
            return Values.show(value);
        }

        @Override
        public void applyTo(TrialState trial, Problems problems) {
            trial.set(path, value);
        }

        @Override
        public boolean matches(TrialState trial, Problems problems) {
            return trial.get(path).equals(value);
        }
    }

    /** The method of the slot at {@code slotPath}, named at {@code valuePosition}. */
    record SetMethod(List<String> slotPath, Method method, SourcePosition keyPosition, SourcePosition valuePosition)
            implements Assignment {

        public SetMethod {
            slotPath = List.copyOf(slotPath);
        }

        @Override
        public String target() {
            return String.join(".", slotPath);
        }

        @Override
        public String shownValue() {
            return method.name();
        }

        @Override
        public void applyTo(TrialState trial, Problems problems) {
            trial.choose(slotPath, method, valuePosition);
        }

        @Override
        public boolean matches(TrialState trial, Problems problems) {
            return trial.get(slotPath).get("name").asText().equals(method.name());
        }
    }

    /** The parameter {@code param} of the method the slot at {@code slotPath} holds. */
    record SetParam(
            List<String> slotPath, TrialSchema.Slot slot, String param, RecipeNode.Scalar value, SourcePosition keyPosition)
            implements Assignment {

        public SetParam {
            slotPath = List.copyOf(slotPath);
        }

        @Override
        public String target() {
            return String.join(".", slotPath) + "." + param;
        }

        @Override
        public String shownValue() {
            return Values.show(value.value());
        }

        @Override
        public void applyTo(TrialState trial, Problems problems) {
            check(trial.method(slot, slotPath), problems).ifPresent(v -> trial.set(path(), v));
        }

        @Override
        public boolean matches(TrialState trial, Problems problems) {
            Method method = trial.method(slot, slotPath);
            return TrialState.param(method, param).isPresent()
                    && check(method, problems).map(v -> v.equals(trial.get(path()))).orElse(false);
        }

        /**
         * The value in canonical form if {@code method} has the parameter and accepts it; empty
         * otherwise, with the problem recorded.
         */
        Optional<JsonNode> check(Method method, Problems problems) {
            Optional<ParamSpec> spec = TrialState.param(method, param);
            if (spec.isEmpty()) {
                problems.add(keyPosition, slot.registry().family() + " '" + method.name()
                        + "' has no parameter '" + param + "'", TrialState.paramNames(method));
                return Optional.empty();
            }
            return Values.check(target(), spec.get(), value.value(), value.position(), problems);
        }

        private List<String> path() {
            List<String> path = new ArrayList<>(slotPath);
            path.add(param);
            return path;
        }
    }
}

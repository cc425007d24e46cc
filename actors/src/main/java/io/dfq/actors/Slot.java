package io.dfq.actors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One worker slot of a node: it runs one trial at a time, on the CPU or on one GPU. Slots are
 * written {@code cpu=2,gpu=1} (two CPU slots and one on GPU 0) on the command line and in {@code
 * dfq.cluster.slots}, and parsed once, up front, so a typo fails before the node joins, naming the
 * part to fix.
 *
 * @param name unique on the node and used in its actor's name: {@code cpu-1}, {@code cpu-2}, {@code
 *     gpu-0}
 * @param gpu the GPU index the slot's trials run on; empty for a CPU slot
 */
public record Slot(String name, OptionalInt gpu) {

    /** The slots of a spec such as {@code cpu=2,gpu=1}; CPU slots first, GPUs numbered from 0. */
    public static List<Slot> parse(String spec) {
        Map<String, Integer> counts = new LinkedHashMap<>(Map.of("cpu", 0, "gpu", 0));
        for (String part : spec.split(",", -1)) {
            String[] kv = part.trim().split("=", -1);
            if (kv.length != 2 || !counts.containsKey(kv[0].trim())) {
                throw new IllegalArgumentException(
                        "slots: '" + part.trim() + "' is not KIND=COUNT; valid kinds: cpu, gpu (e.g. cpu=2,gpu=1)");
            }
            int count;
            try {
                count = Integer.parseInt(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("slots: '" + part.trim() + "': count is not a number", e);
            }
            if (count < 0) {
                throw new IllegalArgumentException("slots: '" + part.trim() + "': count must not be negative");
            }
            counts.merge(kv[0].trim(), count, Integer::sum);
        }
        List<Slot> slots = new ArrayList<>();
        for (int i = 1; i <= counts.get("cpu"); i++) {
            slots.add(new Slot("cpu-" + i, OptionalInt.empty()));
        }
        for (int i = 0; i < counts.get("gpu"); i++) {
            slots.add(new Slot("gpu-" + i, OptionalInt.of(i)));
        }
        return List.copyOf(slots);
    }

    /** CPU slots {@code cpu-1 .. cpu-n}. */
    public static List<Slot> cpus(int n) {
        return parse("cpu=" + n);
    }
}

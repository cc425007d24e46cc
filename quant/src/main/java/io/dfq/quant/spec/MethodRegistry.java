package io.dfq.quant.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The methods of one family, loaded once through {@link ServiceLoader} and looked up by name.
 *
 * @param <T> the family interface
 */
public final class MethodRegistry<T extends Method> {

    private final String family;
    private final Map<String, T> byName;

    private MethodRegistry(String family, Map<String, T> byName) {
        this.family = family;
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Loads every implementation of {@code type} visible to its class loader. */
    public static <T extends Method> MethodRegistry<T> load(String family, Class<T> type) {
        Map<String, T> map = new TreeMap<>();
        for (T m : ServiceLoader.load(type, type.getClassLoader())) {
            T previous = map.put(m.name(), m);
            if (previous != null) {
                throw new IllegalStateException(
                        family + " name '" + m.name() + "' is registered twice: "
                                + previous.getClass().getName() + " and " + m.getClass().getName());
            }
        }
        return new MethodRegistry<>(family, map);
    }

    /** A registry of the given methods (tests, embedding); names must be unique. */
    public static <T extends Method> MethodRegistry<T> of(String family, List<T> methods) {
        Map<String, T> map = new TreeMap<>();
        for (T m : methods) {
            if (map.put(m.name(), m) != null) {
                throw new IllegalStateException(family + " name '" + m.name() + "' given twice");
            }
        }
        return new MethodRegistry<>(family, map);
    }

    /** The family's name, e.g. {@code generator}. */
    public String family() {
        return family;
    }

    /** The method called {@code name}, if registered. */
    public Optional<T> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The method called {@code name}; an error listing the valid names otherwise. */
    public T get(String name) {
        T m = byName.get(name);
        if (m == null) {
            throw new IllegalArgumentException(
                    "unknown " + family + " '" + name + "'; valid: " + String.join(", ", names()));
        }
        return m;
    }

    /** The registered names, sorted. */
    public List<String> names() {
        return new ArrayList<>(byName.keySet());
    }
}

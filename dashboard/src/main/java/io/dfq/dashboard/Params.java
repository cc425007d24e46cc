package io.dfq.dashboard;

import io.dfq.results.TrialQuery;
import io.dfq.results.TrialStatus;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The query string of a request, and the {@link TrialQuery} it describes.
 *
 * <p>Every page and API endpoint filters the same way, so the parameters are parsed once here:
 * {@code recipe}, {@code q} (free text), {@code model}, {@code generator}, {@code quantizer},
 * {@code protocol}, {@code wbits}, {@code abits}, {@code status}, {@code group}, {@code sort},
 * {@code dir} ({@code asc}/{@code desc}), {@code limit} and {@code offset}. A malformed value is a
 * 400 naming the parameter; the values go into the query as data, never into SQL text.
 */
final class Params {

    /** Rows per page unless {@code limit} says otherwise. */
    static final int DEFAULT_LIMIT = 50;

    /** The most rows one request returns. */
    static final int MAX_LIMIT = 2000;

    private final Map<String, String> values;

    private Params(Map<String, String> values) {
        this.values = values;
    }

    /** The parameters of {@code uri} (the last of repeated names wins). */
    static Params of(URI uri) {
        Map<String, String> values = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                values.put(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return new Params(values);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("malformed query string: " + e.getMessage());
        }
    }

    /** The value of {@code name}, or null when absent or blank. */
    String get(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** {@code name} as an integer in {@code [min, max]}, or {@code fallback} when absent. */
    int integer(String name, int fallback, int min, int max) {
        Integer value = optionalInteger(name);
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            throw HttpError.badRequest(name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    private Integer optionalInteger(String name) {
        String value = get(name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + " must be an integer, got '" + value + "'");
        }
    }

    /** The filters, sort and page of the request. */
    TrialQuery query() {
        TrialQuery query = TrialQuery.all().withRecipe(get("recipe")).withText(get("q"))
                .withModel(get("model")).withGenerator(get("generator")).withQuantizer(get("quantizer"))
                .withProtocol(get("protocol")).withWbits(optionalInteger("wbits"))
                .withAbits(optionalInteger("abits")).withGroup(get("group")).withStatus(status())
                .withPage(integer("limit", DEFAULT_LIMIT, 0, MAX_LIMIT), integer("offset", 0, 0, Integer.MAX_VALUE));
        return query.withSort(get("sort"), direction());
    }

    private TrialStatus status() {
        String value = get("status");
        if (value == null) {
            return null;
        }
        try {
            return TrialStatus.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("status must be one of " + Arrays.toString(TrialStatus.values())
                    + ", got '" + value + "'");
        }
    }

    private TrialQuery.Direction direction() {
        String value = get("dir");
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "asc" -> TrialQuery.Direction.ASC;
            case "desc" -> TrialQuery.Direction.DESC;
            default -> throw HttpError.badRequest("dir must be asc or desc, got '" + value + "'");
        };
    }
}

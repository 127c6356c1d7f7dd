package io.github.attiocamel.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ?limit=&offset=} of a paged {@code /api} list, checked once for every list: limit 1-500 (default 50),
 * offset from 0; anything else is a 400 naming each bad parameter.
 */
public record PageRequest(int limit, int offset) {

    public static final int MAX_LIMIT = 500;
    private static final int DEFAULT_LIMIT = 50;

    public static PageRequest of(String limit, String offset) {
        Map<String, String> problems = new LinkedHashMap<>();
        int l = intParam(limit, DEFAULT_LIMIT, 1, MAX_LIMIT, "limit", problems);
        int o = intParam(offset, 0, 0, Integer.MAX_VALUE, "offset", problems);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        return new PageRequest(l, o);
    }

    private static int intParam(String raw, int fallback, int min, int max, String name, Map<String, String> problems) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.put(name, "must be an integer from " + min + " to " + max);
        return fallback;
    }
}

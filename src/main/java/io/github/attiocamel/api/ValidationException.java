package io.github.attiocamel.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A request to the bundle's /api that cannot be served as sent: answered 400 with every offending field. */
public class ValidationException extends RuntimeException {

    private final Map<String, String> fields;

    public ValidationException(Map<String, String> fields) {
        super("invalid request: " + fields.keySet());
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Field (JSON path or parameter name) -> what is wrong with it. */
    public Map<String, String> fields() {
        return fields;
    }
}

package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.time.Instant;

/**
 * One request as the simulator saw it. {@code arrival} is taken when the request reached the simulator (microsecond
 * precision), {@code status} is what it answered (0 while a fault rule is being matched, or when the connection was
 * reset instead of answered).
 */
public record RecordedRequest(String method, String path, String query, String body, Kind kind, int status,
                              Instant arrival) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Attio's two rate budgets: reads are GET plus POST .../query and .../search; everything else writes. */
    public enum Kind { READ, WRITE }

    static Kind classify(String method, String path) {
        return "GET".equals(method) || path.endsWith("/query") || path.endsWith("/search") ? Kind.READ : Kind.WRITE;
    }

    /** The body as JSON, or a missing node when it is empty or not JSON. */
    public JsonNode json() {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /** A top-level number in the JSON body (e.g. {@code offset}), or {@code fallback}. */
    public long bodyLong(String field, long fallback) {
        JsonNode value = json().path(field);
        return value.isNumber() ? value.asLong() : fallback;
    }

    RecordedRequest withStatus(int newStatus) {
        return new RecordedRequest(method, path, query, body, kind, newStatus, arrival);
    }
}

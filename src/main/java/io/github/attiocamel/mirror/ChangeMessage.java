package io.github.attiocamel.mirror;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The canonical change message of docs/ARCHITECTURE.md, as the map the change-feed route marshals:
 * {@code {source, event_type, object, record_id, values, occurred_at}} (+ {@code merged_into} for a merge).
 */
public final class ChangeMessage {

    private ChangeMessage() {}

    public static Map<String, Object> of(String source, String eventType, String object, String recordId, Object values,
                                         Instant occurredAt) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("source", source);
        message.put("event_type", eventType);
        message.put("object", object);
        message.put("record_id", recordId);
        message.put("values", values);
        message.put("occurred_at", occurredAt.toString());
        return message;
    }
}

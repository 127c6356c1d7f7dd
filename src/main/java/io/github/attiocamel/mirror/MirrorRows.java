package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/** An Attio record or list entry, as Attio returns it, mapped to a mirror row: one mapping for webhooks and syncs. */
public final class MirrorRows {

    private MirrorRows() {}

    public static MirrorRow of(MirrorKind kind, String container, JsonNode item, Instant syncedAt, String source) {
        JsonNode id = item.path("id");
        JsonNode values = values(kind, item);
        if (!values.isObject()) {
            throw new IllegalArgumentException("Attio returned a " + kind.name().toLowerCase() + " item without values");
        }
        String itemId = id.path(kind == MirrorKind.RECORDS ? "record_id" : "entry_id").asText(null);
        if (itemId == null) {
            throw new IllegalArgumentException("Attio returned a " + kind.name().toLowerCase() + " item without an id");
        }
        String containerId = id.path(kind == MirrorKind.RECORDS ? "object_id" : "list_id").asText(null);
        ValuesHash.Canonical canonical = ValuesHash.canonical(values);
        return new MirrorRow(kind, container, itemId, id.path("workspace_id").asText(null), containerId,
                item.path("parent_object").asText(null), item.path("parent_record_id").asText(null), canonical.json(),
                canonical.hash(), item.path("web_url").asText(null), item.path("created_at").asText(null),
                syncedAt, source, false, null);
    }

    /** {@code values} of a record, {@code entry_values} of a list entry. */
    public static JsonNode values(MirrorKind kind, JsonNode item) {
        return kind == MirrorKind.RECORDS ? item.path("values") : item.path("entry_values");
    }
}

package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.api.PageRequest;
import org.apache.camel.Header;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads over the local mirror for /api/mirror: records in Attio's shape ({@code id{workspace_id, object_id,
 * record_id}, created_at, web_url, values}) plus {@code deleted} and {@code merged_into}.
 */
public final class MirrorQueryService {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final MirrorRepository mirror;

    public MirrorQueryService(MirrorRepository mirror) {
        this.mirror = mirror;
    }

    /** The mirrored record, or null when the mirror never saw it. */
    public Map<String, Object> record(@Header("object") String object, @Header("record_id") String recordId) {
        return mirror.find(MirrorKind.RECORDS, object, recordId).map(MirrorQueryService::attioShape).orElse(null);
    }

    /** {@code {data:[...], total}}: one page of an object's mirror in record-id order, tombstones included. */
    public Map<String, Object> page(@Header("object") String object, @Header("limit") String limit,
                                    @Header("offset") String offset) {
        PageRequest page = PageRequest.of(limit, offset);
        List<Map<String, Object>> data = mirror.page(MirrorKind.RECORDS, object, page.limit(), page.offset()).stream()
                .map(MirrorQueryService::attioShape).toList();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("data", data);
        result.put("total", mirror.count(MirrorKind.RECORDS, object, true));
        return result;
    }


    private static Map<String, Object> attioShape(MirrorRow row) {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("workspace_id", row.workspaceId());
        id.put("object_id", row.containerId());
        id.put("record_id", row.id());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", id);
        record.put("object", row.container());
        record.put("created_at", row.createdAt());
        record.put("web_url", row.webUrl());
        record.put("values", json(row.valuesJson()));
        record.put("deleted", row.deleted());
        record.put("merged_into", row.mergedInto());
        record.put("synced_at", row.syncedAt() == null ? null : row.syncedAt().toString());
        record.put("source", row.source());
        return record;
    }

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            return MAPPER.getNodeFactory().textNode(text);
        }
    }
}

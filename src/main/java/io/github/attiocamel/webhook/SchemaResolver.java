package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.gateway.AttioGateway;

import java.util.List;
import java.util.function.Supplier;

/**
 * Webhook events name objects and lists by UUID; the mirror, the record cache and the change feed use slugs (or the
 * id, for an object or list whose api_slug Attio answers null). The
 * gateway's schema calls are cached, so this costs no request per event. An id the cached schema does not know (an
 * object created since) refreshes the schema once before giving up.
 */
final class SchemaResolver {

    private final AttioGateway gateway;

    public SchemaResolver(AttioGateway gateway) {
        this.gateway = gateway;
    }

    public String objectSlug(String objectIdOrSlug) {
        return resolve(objectIdOrSlug, "object_id", gateway::objects, "object");
    }

    public String listSlug(String listIdOrSlug) {
        return resolve(listIdOrSlug, "list_id", gateway::lists, "list");
    }

    private String resolve(String idOrSlug, String idField, Supplier<List<JsonNode>> schema, String what) {
        if (idOrSlug == null || idOrSlug.isBlank()) {
            throw new UnprocessableEventException("event names no " + what);
        }
        String slug = find(schema.get(), idOrSlug, idField);
        if (slug == null) {
            gateway.invalidateSchema();
            slug = find(schema.get(), idOrSlug, idField);
        }
        if (slug == null) {
            throw new UnprocessableEventException("Attio has no " + what + " " + idOrSlug);
        }
        return slug;
    }

    private static String find(List<JsonNode> items, String idOrSlug, String idField) {
        for (JsonNode item : items) {
            String id = item.path("id").path(idField).asText(null);
            // Attio may answer api_slug null: the id then names it, in paths as in the mirror
            String slug = item.path("api_slug").isTextual() ? item.path("api_slug").asText() : id;
            if (idOrSlug.equals(id) || idOrSlug.equals(slug)) {
                return slug;
            }
        }
        return null;
    }
}

package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One validated request against the simulated workspace: the operations of the trimmed OpenAPI document. */
final class Operations {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final int ATTRIBUTES_DEFAULT_PAGE = 10;

    private final SimulatorData data;
    private final Map<String, String> path;
    private final Map<String, List<String>> query;
    private final JsonNode body;
    private final AttioSimulator simulator;

    Operations(SimulatorData data, Map<String, String> path, Map<String, List<String>> query, JsonNode body,
               AttioSimulator simulator) {
        this.data = data;
        this.path = path;
        this.query = query;
        this.body = body;
        this.simulator = simulator;
    }

    JsonNode run(String operation) {
        synchronized (data) {
            return switch (operation) {
                case "GET /v2/self" -> self();
                case "GET /v2/objects" -> wrap(array(data.objects().stream().map(data::renderObject).toList()));
                case "GET /v2/objects/{object}" -> wrap(data.renderObject(data.object(path.get("object"))));
                case "GET /v2/{target}/{identifier}/attributes" -> attributes();
                case "GET /v2/{target}/{identifier}/attributes/{attribute}" ->
                        wrap(data.renderAttribute(target(), attribute(target())));
                case "GET /v2/{target}/{identifier}/attributes/{attribute}/options" -> options("select");
                case "GET /v2/{target}/{identifier}/attributes/{attribute}/statuses" -> options("status");
                case "POST /v2/objects/{object}/records/query" -> wrap(data.query(data.object(path.get("object")),
                        body.get("filter"), body.get("sorts"), limit(body.get("limit"), 500, 500), number(body.get("offset"), 0)));
                case "POST /v2/objects/{object}/records" -> wrap(data.writeRecord(path.get("object"), null,
                        values("values"), SimulatorData.Mode.CREATE, null));
                case "PUT /v2/objects/{object}/records" -> wrap(data.writeRecord(path.get("object"), null,
                        values("values"), SimulatorData.Mode.ASSERT, query.get("matching_attribute").get(0)));
                case "GET /v2/objects/{object}/records/{record_id}" -> wrap(record());
                case "GET /v2/objects/{object}/records/{record_id}/entries" -> recordEntries();
                case "PATCH /v2/objects/{object}/records/{record_id}" -> wrap(data.writeRecord(path.get("object"),
                        path.get("record_id"), values("values"), SimulatorData.Mode.PATCH, null));
                case "PUT /v2/objects/{object}/records/{record_id}" -> wrap(data.writeRecord(path.get("object"),
                        path.get("record_id"), values("values"), SimulatorData.Mode.PUT, null));
                case "DELETE /v2/objects/{object}/records/{record_id}" -> {
                    record();
                    data.removeRecord(path.get("object"), path.get("record_id"));
                    yield NODES.objectNode();
                }
                case "POST /v2/objects/records/search" -> search();
                case "GET /v2/lists" -> wrap(array(data.lists().stream().map(data::renderList).toList()));
                case "GET /v2/lists/{list}" -> wrap(data.renderList(data.list(path.get("list"))));
                case "POST /v2/lists/{list}/entries/query" -> wrap(data.query(data.list(path.get("list")),
                        body.get("filter"), body.get("sorts"), limit(body.get("limit"), 500, 500), number(body.get("offset"), 0)));
                case "POST /v2/lists/{list}/entries", "PUT /v2/lists/{list}/entries" -> {
                    JsonNode d = body.path("data");
                    yield wrap(data.writeEntry(path.get("list"), null, d.path("parent_object").asText(),
                            d.path("parent_record_id").asText(), values("entry_values"),
                            operation.startsWith("POST") ? SimulatorData.Mode.CREATE : SimulatorData.Mode.ASSERT));
                }
                case "GET /v2/lists/{list}/entries/{entry_id}" -> wrap(entry());
                case "PATCH /v2/lists/{list}/entries/{entry_id}", "PUT /v2/lists/{list}/entries/{entry_id}" ->
                        wrap(data.writeEntry(path.get("list"), path.get("entry_id"), null, null, values("entry_values"),
                                operation.startsWith("PATCH") ? SimulatorData.Mode.PATCH : SimulatorData.Mode.PUT));
                case "DELETE /v2/lists/{list}/entries/{entry_id}" -> {
                    entry();
                    data.removeEntry(path.get("list"), path.get("entry_id"));
                    yield NODES.objectNode();
                }
                case "GET /v2/notes" -> notes();
                case "POST /v2/notes" -> createNote();
                case "GET /v2/notes/{note_id}" -> wrap(found(data.notes.get(path.get("note_id")), "Note"));
                case "GET /v2/tasks" -> tasks();
                case "POST /v2/tasks" -> createTask();
                case "GET /v2/tasks/{task_id}" -> wrap(found(data.tasks.get(path.get("task_id")), "Task"));
                case "POST /v2/comments" -> createComment();
                case "GET /v2/comments/{comment_id}" -> wrap(found(data.comments.get(path.get("comment_id")), "Comment"));
                case "GET /v2/threads" -> threads();
                case "GET /v2/workspace_members" -> wrap(array(data.members.values()));
                case "GET /v2/webhooks" -> wrap(array(page(data.webhooks.values().stream().map(Operations::withoutSecret).toList(),
                        10, Integer.MAX_VALUE)));
                case "POST /v2/webhooks" -> createWebhook();
                case "GET /v2/webhooks/{webhook_id}" ->
                        wrap(withoutSecret(found(data.webhooks.get(path.get("webhook_id")), "Webhook")));
                case "PATCH /v2/webhooks/{webhook_id}" -> updateWebhook(path.get("webhook_id"));
                case "DELETE /v2/webhooks/{webhook_id}" -> {
                    found(data.webhooks.remove(path.get("webhook_id")), "Webhook");
                    yield NODES.objectNode();
                }
                default -> throw AttioApiException.notFound("Route " + operation + " is not simulated.");
            };
        }
    }

    private JsonNode self() {
        ObjectNode self = NODES.objectNode().put("active", true).put("scope", "record_permission:read-write "
                        + "object_configuration:read list_entry:read-write list_configuration:read note:read-write "
                        + "task:read-write comment:read-write user_management:read webhook:read-write")
                .put("client_id", UUID.nameUUIDFromBytes(data.apiTokenId.getBytes()).toString()).put("token_type", "Bearer")
                .putNull("exp").put("iat", 1_700_000_000).put("sub", data.apiTokenId).put("aud", "sandbox")
                .put("iss", "attio.com").put("authorized_by_workspace_member_id", data.members.keySet().iterator().next())
                .put("workspace_id", data.workspaceId).put("workspace_name", "Sandbox")
                .put("workspace_slug", data.workspaceSlug).putNull("workspace_logo_url");
        return self;
    }

    private SimulatorData.Container target() {
        String target = path.get("target");
        if ("objects".equals(target)) {
            return data.object(path.get("identifier"));
        }
        if ("lists".equals(target)) {
            return data.list(path.get("identifier"));
        }
        throw AttioApiException.notFound("Unknown target \"" + target + "\".");
    }

    private SimulatorData.Attribute attribute(SimulatorData.Container c) {
        SimulatorData.Attribute a = c.attribute(path.get("attribute"));
        if (a == null) {
            throw AttioApiException.notFound("Attribute \"" + path.get("attribute") + "\" not found.");
        }
        return a;
    }

    private JsonNode attributes() {
        SimulatorData.Container c = target();
        List<ObjectNode> all = c.attributes.values().stream().map(a -> data.renderAttribute(c, a)).toList();
        // Attio documents no default page size: a small one here makes a reader that never pages miss attributes
        return wrap(array(page(all, ATTRIBUTES_DEFAULT_PAGE, Integer.MAX_VALUE)));
    }

    private JsonNode recordEntries() {
        record();
        String recordId = path.get("record_id");
        List<ObjectNode> entries = new java.util.ArrayList<>();
        for (SimulatorData.Container list : data.lists()) {
            for (SimulatorData.Row row : list.rows.values()) {
                if (recordId.equals(row.parentRecordId)) {
                    entries.add(NODES.objectNode().put("list_id", list.id).put("list_api_slug", list.slug)
                            .put("entry_id", row.id).put("created_at", row.createdAt));
                }
            }
        }
        return wrap(array(page(entries, 100, 1000)));
    }

    private JsonNode options(String type) {
        SimulatorData.Container c = target();
        SimulatorData.Attribute a = attribute(c);
        if (!type.equals(a.type)) {
            throw AttioApiException.notFound("Attribute \"" + a.slug + "\" has no " + (type.equals("select") ? "options" : "statuses") + ".");
        }
        return wrap(array(a.options.values()));
    }

    private ObjectNode record() {
        ObjectNode record = data.getRecord(path.get("object"), path.get("record_id"));
        return found(record, "Record");
    }

    private ObjectNode entry() {
        return found(data.getEntry(path.get("list"), path.get("entry_id")), "Entry");
    }

    private JsonNode values(String field) {
        return body.path("data").path(field);
    }

    private JsonNode search() {
        String text = body.path("query").asText().toLowerCase(java.util.Locale.ROOT);
        long limit = number(body.get("limit"), 25);
        ArrayNode results = NODES.arrayNode();
        for (JsonNode object : body.path("objects")) {
            SimulatorData.Container c = data.object(object.asText());
            for (SimulatorData.Row row : c.rows.values()) {
                if (results.size() >= limit) {
                    break;
                }
                ObjectNode rendered = data.render(c, row);
                if (!text.isEmpty() && rendered.path("values").toString().toLowerCase(java.util.Locale.ROOT).contains(text)) {
                    ObjectNode hit = results.addObject();
                    hit.set("id", rendered.path("id"));
                    JsonNode values = rendered.path("values");
                    JsonNode name = values.path("name").path(0);
                    hit.put("record_text", name.has("full_name") ? name.path("full_name").asText() : name.path("value").asText(""));
                    hit.putNull("record_image");
                    hit.put("object_slug", c.slug);
                    if ("people".equals(c.slug)) {
                        hit.set("email_addresses", strings(values.path("email_addresses"), "email_address"));
                        hit.set("phone_numbers", strings(values.path("phone_numbers"), "phone_number"));
                    } else if ("companies".equals(c.slug)) {
                        hit.set("domains", strings(values.path("domains"), "domain"));
                    }
                }
            }
        }
        return wrap(results);
    }

    private static ArrayNode strings(JsonNode values, String field) {
        ArrayNode array = NODES.arrayNode();
        values.forEach(v -> array.add(v.path(field).asText()));
        return array;
    }

    private JsonNode notes() {
        String parentObject = param("parent_object");
        String parentRecord = param("parent_record_id");
        List<ObjectNode> matching = data.notes.values().stream()
                .filter(n -> parentObject == null || parentObject.equals(n.path("parent_object").asText())
                        || parentObject.equals(data.object(n.path("parent_object").asText()).id))
                .filter(n -> parentRecord == null || parentRecord.equals(n.path("parent_record_id").asText())).toList();
        return wrap(array(page(matching, 10, 50)));
    }

    private JsonNode createNote() {
        JsonNode d = body.path("data");
        SimulatorData.Container parent = parentObject(d.path("parent_object").asText());
        String recordId = d.path("parent_record_id").asText();
        if (!parent.rows.containsKey(recordId)) {
            throw AttioApiException.invalid("value_not_found", "Parent record \"" + recordId + "\" not found.");
        }
        String id = UUID.randomUUID().toString();
        ObjectNode note = NODES.objectNode();
        note.putObject("id").put("workspace_id", data.workspaceId).put("note_id", id);
        note.put("parent_object", parent.slug).put("parent_record_id", recordId).put("title", d.path("title").asText());
        note.set("meeting_id", d.has("meeting_id") ? d.get("meeting_id") : NODES.nullNode());
        String content = d.path("content").asText();
        note.put("content_plaintext", "markdown".equals(d.path("format").asText())
                ? content.replaceAll("[*_`#>]", "") : content).put("content_markdown", content);
        note.putArray("tags");
        note.putObject("created_by_actor").put("type", "api-token").put("id", data.apiTokenId);
        note.put("created_at", d.has("created_at") ? d.path("created_at").asText() : data.timestamp());
        data.notes.put(id, note);
        ObjectNode event = data.event("note.created", NODES.objectNode().put("workspace_id", data.workspaceId).put("note_id", id));
        event.put("parent_object_id", parent.id).put("parent_record_id", recordId);
        data.eventSink.accept(List.of(event));
        return wrap(note);
    }

    private SimulatorData.Container parentObject(String slug) {
        try {
            return data.object(slug);
        } catch (AttioApiException e) {
            throw AttioApiException.invalid("value_not_found", e.getMessage());
        }
    }

    private JsonNode tasks() {
        String linkedObject = param("linked_object");
        String linkedRecord = param("linked_record_id");
        String completed = param("is_completed");
        List<ObjectNode> matching = data.tasks.values().stream()
                .filter(t -> completed == null || Boolean.parseBoolean(completed) == t.path("is_completed").asBoolean())
                .filter(t -> linkedRecord == null || t.path("linked_records").findValuesAsText("target_record_id").contains(linkedRecord))
                .filter(t -> linkedObject == null || t.path("linked_records").findValuesAsText("target_object_id")
                        .contains(data.object(linkedObject).id))
                .toList();
        return wrap(array(page(matching, 500, Integer.MAX_VALUE)));
    }

    private JsonNode createTask() {
        JsonNode d = body.path("data");
        String id = UUID.randomUUID().toString();
        ObjectNode task = NODES.objectNode();
        task.putObject("id").put("workspace_id", data.workspaceId).put("task_id", id);
        task.put("content_plaintext", d.path("content").asText());
        task.set("deadline_at", d.path("deadline_at").isNull() ? NODES.nullNode() : d.get("deadline_at"));
        task.put("is_completed", d.path("is_completed").asBoolean());
        ArrayNode linked = task.putArray("linked_records");
        for (JsonNode link : d.path("linked_records")) {
            SimulatorData.Container target = parentObject(link.path("target_object").asText());
            String recordId = link.path("target_record_id").asText(null);
            if (recordId == null || !target.rows.containsKey(recordId)) {
                throw AttioApiException.invalid("value_not_found", "Linked record " + link + " not found.");
            }
            linked.addObject().put("target_object_id", target.id).put("target_record_id", recordId);
        }
        ArrayNode assignees = task.putArray("assignees");
        for (JsonNode assignee : d.path("assignees")) {
            String memberId = assignee.has("referenced_actor_id") ? assignee.path("referenced_actor_id").asText()
                    : data.members.values().stream().filter(m -> m.path("email_address").asText()
                            .equalsIgnoreCase(assignee.path("workspace_member_email_address").asText()))
                    .map(m -> m.path("id").path("workspace_member_id").asText()).findFirst().orElse(null);
            if (memberId == null || !data.members.containsKey(memberId)) {
                throw AttioApiException.invalid("value_not_found", "Workspace member " + assignee + " not found.");
            }
            assignees.addObject().put("referenced_actor_type", "workspace-member").put("referenced_actor_id", memberId);
        }
        task.putObject("created_by_actor").put("type", "api-token").put("id", data.apiTokenId);
        task.put("created_at", data.timestamp());
        data.tasks.put(id, task);
        data.eventSink.accept(List.of(data.event("task.created", NODES.objectNode().put("workspace_id", data.workspaceId)
                .put("task_id", id))));
        return wrap(task);
    }

    private JsonNode createComment() {
        JsonNode d = body.path("data");
        String id = UUID.randomUUID().toString();
        ObjectNode comment = NODES.objectNode();
        comment.putObject("id").put("workspace_id", data.workspaceId).put("comment_id", id);
        String threadId = d.path("thread_id").asText(null);
        if (threadId != null && data.comments.values().stream().noneMatch(c -> threadId.equals(c.path("thread_id").asText()))) {
            throw AttioApiException.notFound("Thread \"" + threadId + "\" not found.");
        }
        ObjectNode first = threadId == null ? null : data.comments.values().stream()
                .filter(c -> threadId.equals(c.path("thread_id").asText())).findFirst().orElseThrow();
        comment.put("thread_id", threadId == null ? UUID.randomUUID().toString() : threadId);
        comment.put("content_plaintext", d.path("content").asText());
        if (first != null) {
            comment.set("entry", first.get("entry"));
            comment.set("record", first.get("record"));
        } else if (d.has("record")) {
            SimulatorData.Container c = parentObject(d.path("record").path("object").asText());
            String recordId = d.path("record").path("record_id").asText();
            if (!c.rows.containsKey(recordId)) {
                throw AttioApiException.invalid("value_not_found", "Record \"" + recordId + "\" not found.");
            }
            comment.putNull("entry");
            comment.putObject("record").put("record_id", recordId).put("object_id", c.id);
        } else {
            SimulatorData.Container list = data.list(d.path("entry").path("list").asText());
            String entryId = d.path("entry").path("entry_id").asText();
            SimulatorData.Row row = list.rows.get(entryId);
            if (row == null) {
                throw AttioApiException.invalid("value_not_found", "Entry \"" + entryId + "\" not found.");
            }
            comment.putObject("entry").put("entry_id", entryId).put("list_id", list.id);
            comment.putObject("record").put("record_id", row.parentRecordId).put("object_id", data.object(row.parentObject).id);
        }
        comment.putNull("resolved_at");
        comment.putObject("resolved_by"); // the document types it as an object even while unresolved
        comment.put("created_at", data.timestamp());
        comment.putObject("author").put("type", "workspace-member").put("id", d.path("author").path("id").asText());
        data.comments.put(id, comment);
        return wrap(comment);
    }

    private JsonNode threads() {
        String recordId = param("record_id");
        String entryId = param("entry_id");
        Map<String, ArrayNode> byThread = new java.util.LinkedHashMap<>();
        for (ObjectNode comment : data.comments.values()) {
            boolean matches = (recordId != null && recordId.equals(comment.path("record").path("record_id").asText()))
                    || (entryId != null && entryId.equals(comment.path("entry").path("entry_id").asText()));
            if (matches) {
                byThread.computeIfAbsent(comment.path("thread_id").asText(), k -> NODES.arrayNode()).add(comment);
            }
        }
        ArrayNode threads = NODES.arrayNode();
        byThread.forEach((id, comments) -> {
            ObjectNode thread = threads.addObject();
            thread.putObject("id").put("workspace_id", data.workspaceId).put("thread_id", id);
            thread.set("comments", comments);
            thread.put("created_at", comments.get(0).path("created_at").asText());
        });
        return wrap(threads);
    }

    private JsonNode createWebhook() {
        JsonNode d = body.path("data");
        String id = UUID.randomUUID().toString();
        ObjectNode hook = NODES.objectNode();
        hook.put("target_url", d.path("target_url").asText());
        hook.set("subscriptions", d.path("subscriptions"));
        hook.putObject("id").put("workspace_id", data.workspaceId).put("webhook_id", id);
        hook.put("status", "active").put("created_at", data.timestamp());
        hook.put("secret", AttioSimulator.randomHex(24));
        data.webhooks.put(id, hook);
        return wrap(hook.deepCopy());
    }

    /** Attio's PATCH: replaces what the body names (target_url, subscriptions); the secret stays as it was. */
    private JsonNode updateWebhook(String webhookId) {
        ObjectNode hook = found(data.webhooks.get(webhookId), "Webhook");
        JsonNode d = body.path("data");
        if (d.has("target_url")) {
            hook.put("target_url", d.path("target_url").asText());
        }
        if (d.has("subscriptions")) {
            hook.set("subscriptions", d.path("subscriptions").deepCopy());
        }
        return wrap(withoutSecret(hook));
    }

    static ObjectNode withoutSecret(ObjectNode hook) {
        ObjectNode copy = hook.deepCopy();
        copy.remove("secret");
        return copy;
    }

    /** Attio's subscription filter: {"$and"|"$or": [{field, operator: equals|not_equals, value}]} on event fields. */
    static boolean filterMatches(JsonNode filter, JsonNode event) {
        if (filter == null || filter.isNull() || filter.isMissingNode()) {
            return true;
        }
        boolean and = filter.has("$and");
        JsonNode conditions = and ? filter.path("$and") : filter.path("$or");
        boolean result = and;
        for (JsonNode condition : conditions) {
            JsonNode value = event;
            for (String part : condition.path("field").asText().split("\\.")) {
                value = value.path(part);
            }
            boolean equal = condition.path("value").asText().equals(value.asText());
            boolean ok = "not_equals".equals(condition.path("operator").asText()) != equal;
            result = and ? result && ok : result || ok;
        }
        return result;
    }

    private String param(String name) {
        List<String> values = query.get(name);
        return values == null ? null : values.get(0);
    }

    private <T> List<T> page(List<T> all, int defaultLimit, int maxLimit) {
        String limitText = param("limit");
        String offsetText = param("offset");
        int limit = limitText == null ? defaultLimit : Integer.parseInt(limitText);
        int offset = offsetText == null ? 0 : Integer.parseInt(offsetText);
        if (limit < 1 || limit > maxLimit || offset < 0) {
            // out of the documented bounds is refused, never quietly clamped: a client relying on it must fail here
            throw AttioApiException.invalid("validation_type", "limit must be 1.." + maxLimit + " and offset >= 0.");
        }
        return all.stream().skip(offset).limit(limit).toList();
    }

    /** A query body's limit: 1..max (Attio documents no more than 500 records per query page). */
    private static long limit(JsonNode node, long fallback, long max) {
        long limit = number(node, fallback);
        if (limit < 1 || limit > max) {
            throw AttioApiException.invalid("validation_type", "limit must be 1.." + max + ".");
        }
        return limit;
    }

    private static long number(JsonNode node, long fallback) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (node.asDouble() < 0) {
            throw AttioApiException.invalid("validation_type", "limit and offset must not be negative.");
        }
        return node.asLong();
    }

    private static <T extends JsonNode> T found(T node, String what) {
        if (node == null) {
            throw AttioApiException.notFound(what + " not found.");
        }
        return node;
    }

    private static ArrayNode array(java.util.Collection<? extends JsonNode> items) {
        ArrayNode array = NODES.arrayNode();
        items.forEach(array::add);
        return array;
    }

    private static ObjectNode wrap(JsonNode data) {
        ObjectNode wrapped = NODES.objectNode();
        wrapped.set("data", data);
        return wrapped;
    }
}

package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.config.MessageContract;
import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.ChangeFilter;
import io.github.attiocamel.mirror.ChangeMessage;
import io.github.attiocamel.mirror.ChangeOutbox;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.mirror.MirrorRepository.Outcome;
import io.github.attiocamel.mirror.MirrorRow;
import io.github.attiocamel.mirror.MirrorRows;
import io.github.attiocamel.mirror.OwnWrites;
import org.apache.camel.Body;
import org.apache.camel.Variable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the webhook handler routes do with one event: events carry ids only, so records and entries are fetched
 * through the gateway and upserted into the mirror; only a row that really changed (new hash, deletion, merge) yields
 * a change message. Fetch results decide, not event types: an update whose record is gone is a deletion, and a fetch
 * that finds the mirror's hash (our own write echoing back) publishes nothing. Two more checks decide whether a real
 * change is published: the echo of the bundle's own write is not ({@link OwnWrites}), and an update
 * that touches none of the attributes a filter asks for is not ({@link ChangeFilter}).
 */
public final class WebhookMirrorService {

    public static final String SOURCE = "webhook";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final AttioGateway gateway;
    private final MirrorRepository mirror;
    private final ChangeOutbox outbox;
    private final SchemaResolver schema;
    private final FetchLedger ledger;
    private final OwnWrites ownWrites;
    private final ChangeFilter filter;

    public WebhookMirrorService(AttioGateway gateway, MirrorRepository mirror, ChangeOutbox outbox, SchemaResolver schema,
                                FetchLedger ledger, OwnWrites ownWrites, ChangeFilter filter) {
        this.gateway = gateway;
        this.mirror = mirror;
        this.outbox = outbox;
        this.schema = schema;
        this.ledger = ledger;
        this.ownWrites = ownWrites;
        this.filter = filter;
    }

    // ---- records ----------------------------------------------------------------------------------------------

    /** record.created / record.updated: fetch (unless a fetch since the event already did) and upsert. */
    public HandlerResult recordChanged(@Body Map<String, Object> event, @Variable(MessageContract.RECEIVED_AT) Instant receivedAt) {
        JsonNode e = MAPPER.valueToTree(event);
        String object = schema.objectSlug(required(e, "id", "object_id"));
        String recordId = required(e, "id", "record_id");
        String key = "record:" + object + ":" + recordId;
        if (ledger.fetchedSince(key, receivedAt)) {
            return HandlerResult.fetchSavedResult();
        }
        return HandlerResult.of(refreshRecord(object, recordId, key, receivedAt, e.path("actor")));
    }

    /** record.deleted: a tombstone, published once. */
    public HandlerResult recordDeleted(@Body Map<String, Object> event, @Variable(MessageContract.RECEIVED_AT) Instant receivedAt) {
        JsonNode e = MAPPER.valueToTree(event);
        String object = schema.objectSlug(required(e, "id", "object_id"));
        String recordId = required(e, "id", "record_id");
        gateway.invalidateRecord(object, recordId);
        ledger.forget("record:" + object + ":" + recordId);
        Map<String, Object> deleted = ChangeMessage.of(SOURCE, "record.deleted", object, recordId, null, receivedAt);
        return HandlerResult.of(tombstoned(ownWrites.isOwn(e.path("actor")), deleted,
                (source, change) -> mirror.markDeleted(MirrorKind.RECORDS, object, recordId, Instant.now(), source,
                        change)));
    }

    /** record.merged: the survivor ({@code id.record_id}) is re-fetched, the duplicate kept as merged into it. */
    public HandlerResult recordMerged(@Body Map<String, Object> event, @Variable(MessageContract.RECEIVED_AT) Instant receivedAt) {
        JsonNode e = MAPPER.valueToTree(event);
        String object = schema.objectSlug(required(e, "id", "object_id"));
        String survivorId = required(e, "id", "record_id");
        String duplicateObject = e.hasNonNull("duplicate_object_id")
                ? schema.objectSlug(e.get("duplicate_object_id").asText()) : object;
        String duplicateId = required(e, "duplicate_record_id");
        List<Map<String, Object>> changes = new ArrayList<>(refreshRecord(object, survivorId,
                "record:" + object + ":" + survivorId, receivedAt, e.path("actor")));
        gateway.invalidateRecord(duplicateObject, duplicateId);
        ledger.forget("record:" + duplicateObject + ":" + duplicateId);
        Map<String, Object> merged = ChangeMessage.of(SOURCE, "record.merged", duplicateObject, duplicateId, null,
                receivedAt);
        merged.put("merged_into", survivorId);
        changes.addAll(tombstoned(ownWrites.isOwn(e.path("actor")), merged, (source, change) ->
                mirror.markMerged(duplicateObject, duplicateId, survivorId, Instant.now(), source, change)));
        return HandlerResult.of(changes);
    }

    /** An echo of the bundle's own write ({@link OwnWrites#isEcho}) refreshes the mirror but publishes nothing. */
    private List<Map<String, Object>> refreshRecord(String object, String recordId, String key, Instant occurredAt,
                                                    JsonNode actor) {
        gateway.invalidateRecord(object, recordId);
        Instant fetchStarted = Instant.now();
        Optional<JsonNode> fetched = gateway.getRecord(object, recordId);
        ledger.recordFetch(key, fetchStarted);
        if (fetched.isEmpty()) {
            Map<String, Object> deleted = ChangeMessage.of(SOURCE, "record.deleted", object, recordId, null, occurredAt);
            return tombstoned(ownWrites.isOwn(actor), deleted, (source, change) ->
                    mirror.markDeleted(MirrorKind.RECORDS, object, recordId, Instant.now(), source, change));
        }
        JsonNode record = fetched.get();
        return upserted(MirrorRows.of(MirrorKind.RECORDS, object, record, Instant.now(), SOURCE), actor,
                MirrorRows.values(MirrorKind.RECORDS, record), "record", occurredAt);
    }

    /**
     * Upserts a fetched row; the change message it writes with it, if any, is the answer: none when nothing changed,
     * when the change is the bundle's own write echoing back ({@link OwnWrites#isEcho}, then mirrored as source
     * {@code bundle}), or when an update touches no attribute a filter asks for. An unchanged row the bundle last
     * wrote is its own write echoing back too, and counted as such.
     */
    private List<Map<String, Object>> upserted(MirrorRow fetched, JsonNode actor, JsonNode values, String family,
                                               Instant occurredAt) {
        Optional<MirrorRow> previous = mirror.find(fetched.kind(), fetched.container(), fetched.id());
        // asked after the fetch: the bundle's first write may still be teaching OwnWrites its token's actor id
        boolean echo = ownWrites.isEcho(actor, previous.filter(p -> !p.deleted())
                .map(p -> ChangeFilter.read(p.valuesJson())).orElse(null), values);
        MirrorRow row = echo ? fetched.withSource(OwnWrites.SOURCE) : fetched;
        List<Map<String, Object>> changes = new ArrayList<>();
        Outcome outcome = mirror.upsert(row, result -> {
            changes.clear(); // a retried write asks again
            if (result != Outcome.UNCHANGED && !echo && (result == Outcome.CREATED || !filtered(previous, row, values))) {
                changes.add(ChangeMessage.of(SOURCE, family + (result == Outcome.CREATED ? ".created" : ".updated"),
                        row.container(), row.id(), values, occurredAt));
            }
            return changes;
        });
        if (echo || outcome == Outcome.UNCHANGED && previous.map(p -> OwnWrites.SOURCE.equals(p.source())).orElse(false)) {
            ownWrites.echoSuppressed();
        }
        return changes;
    }

    /** True when an update touches none of the attributes the filter asks for; a tombstone come back is published. */
    private boolean filtered(Optional<MirrorRow> previous, MirrorRow row, JsonNode values) {
        return previous.isPresent() && !previous.get().deleted()
                && !filter.publishesUpdate(row.container(), previous.get().valuesJson(), values);
    }

    /** A tombstone's write: {@code change} goes with it unless the bundle itself deleted or merged the row. */
    private List<Map<String, Object>> tombstoned(boolean own, Map<String, Object> change, Tombstone write) {
        if (!write.apply(own ? OwnWrites.SOURCE : SOURCE, own ? null : change)) {
            return List.of();
        }
        if (own) {
            ownWrites.echoSuppressed();
            return List.of();
        }
        return List.of(change);
    }

    /** markDeleted or markMerged with the source and the change message (null: none) to write with the tombstone. */
    private interface Tombstone {
        boolean apply(String source, Map<String, Object> change);
    }

    // ---- list entries -----------------------------------------------------------------------------------------

    /** list-entry.created / list-entry.updated: fetch (unless already fetched since) and upsert with its parent. */
    public HandlerResult entryChanged(@Body Map<String, Object> event, @Variable(MessageContract.RECEIVED_AT) Instant receivedAt) {
        JsonNode e = MAPPER.valueToTree(event);
        String list = schema.listSlug(required(e, "id", "list_id"));
        String entryId = required(e, "id", "entry_id");
        String key = "entry:" + list + ":" + entryId;
        if (ledger.fetchedSince(key, receivedAt)) {
            return HandlerResult.fetchSavedResult();
        }
        Instant fetchStarted = Instant.now();
        Optional<JsonNode> fetched = gateway.getEntry(list, entryId);
        ledger.recordFetch(key, fetchStarted);
        if (fetched.isEmpty()) {
            return entryGone(list, entryId, receivedAt);
        }
        JsonNode entry = parentAsSlug(fetched.get());
        return HandlerResult.of(upserted(MirrorRows.of(MirrorKind.ENTRIES, list, entry, Instant.now(), SOURCE),
                e.path("actor"), MirrorRows.values(MirrorKind.ENTRIES, entry), "list-entry", receivedAt));
    }

    public HandlerResult entryDeleted(@Body Map<String, Object> event, @Variable(MessageContract.RECEIVED_AT) Instant receivedAt) {
        JsonNode e = MAPPER.valueToTree(event);
        String list = schema.listSlug(required(e, "id", "list_id"));
        String entryId = required(e, "id", "entry_id");
        ledger.forget("entry:" + list + ":" + entryId);
        return entryGone(list, entryId, receivedAt);
    }

    /** An entry's parent_object may come as the object's id or slug (or a one-slug array): the mirror keeps slugs. */
    private JsonNode parentAsSlug(JsonNode entry) {
        JsonNode parent = entry.path("parent_object");
        String value = parent.isArray() ? parent.path(0).asText(null) : parent.isTextual() ? parent.asText() : null;
        if (value == null) {
            return entry;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = entry.deepCopy();
        copy.put("parent_object", schema.objectSlug(value));
        return copy;
    }

    private HandlerResult entryGone(String list, String entryId, Instant occurredAt) {
        Map<String, Object> deleted = ChangeMessage.of(SOURCE, "list-entry.deleted", list, entryId, null, occurredAt);
        return mirror.markDeleted(MirrorKind.ENTRIES, list, entryId, Instant.now(), SOURCE, deleted)
                ? HandlerResult.of(List.of(deleted)) : HandlerResult.nothing();
    }

    // ---- notes, tasks, comments -------------------------------------------------------------------------------

    /**
     * note.* / note-content.updated / task.* / comment.*: not mirrored; what the event names is fetched when it still
     * exists and published ({@code object} = notes|tasks|comments). A deletion publishes the id alone; a created or
     * updated activity that is already gone publishes nothing (its deletion event follows), and one the bundle's own
     * token made (the contact flow's note) publishes nothing at all.
     */
    public HandlerResult activity(@Body Map<String, Object> event, @Variable(MessageContract.EVENT_TYPE) String eventType,
                                  @Variable(MessageContract.RECEIVED_AT) Instant receivedAt) {
        JsonNode e = MAPPER.valueToTree(event);
        if (ownWrites.isOwn(e.path("actor"))) {
            ownWrites.echoSuppressed();
            return HandlerResult.nothing();
        }
        String family = eventType.substring(0, eventType.indexOf('.'));
        String collection;
        String id;
        switch (family) {
            case "note", "note-content" -> {
                collection = "notes";
                id = required(e, "id", "note_id");
            }
            case "task" -> {
                collection = "tasks";
                id = required(e, "id", "task_id");
            }
            case "comment" -> {
                collection = "comments";
                // the key is not confirmed by Attio's docs: a different shape is dead-lettered showing the keys it has
                id = text(e, "id", "comment_id");
                if (id == null || id.isBlank()) {
                    List<String> keys = new ArrayList<>();
                    e.path("id").fieldNames().forEachRemaining(keys::add);
                    throw new UnprocessableEventException(eventType + " has no id.comment_id (id has " + keys + ")");
                }
            }
            default -> throw new UnprocessableEventException("not an activity event: " + eventType);
        }
        if (eventType.endsWith(".deleted")) {
            return published(List.of(ChangeMessage.of(SOURCE, eventType, collection, id, null, receivedAt)));
        }
        Optional<JsonNode> fetched = switch (collection) {
            case "notes" -> gateway.getNote(id);
            case "tasks" -> gateway.getTask(id);
            default -> gateway.getComment(id);
        };
        return fetched.map(activity -> published(List.of(
                        ChangeMessage.of(SOURCE, eventType, collection, id, activity, receivedAt))))
                .orElse(HandlerResult.nothing());
    }

    /** Activities touch no mirror row: their change messages go to the outbox on their own. */
    private HandlerResult published(List<Map<String, Object>> changes) {
        outbox.append(changes);
        return HandlerResult.of(changes);
    }

    // ---- workspace and schema ---------------------------------------------------------------------------------

    /** object-attribute.*, list-attribute.*, list.*: the cached schema (slugs, attributes, options) is stale. */
    public void schemaChanged() {
        gateway.invalidateSchema();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static String required(JsonNode node, String... path) {
        String value = text(node, path);
        if (value == null || value.isBlank()) {
            throw new UnprocessableEventException("event has no " + String.join(".", path));
        }
        return value;
    }

    private static String text(JsonNode node, String... path) {
        JsonNode n = node;
        for (String p : path) {
            n = n.path(p);
        }
        return n.isValueNode() && !n.isNull() ? n.asText() : null;
    }
}

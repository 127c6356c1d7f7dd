package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Optional;

/**
 * The only door to Attio. Every call goes through the shared read or write budget (Camel Throttler EIP), the
 * circuit breaker, retries and error normalisation. Callers never build URLs. Methods answer Attio's {@code data}
 * element (unwrapped); failures are {@link AttioException}.
 *
 * <p>Reads: every GET, {@code .../query}, {@code .../search}. Everything else is a write.
 */
public interface AttioGateway {

    /** {@code GET /v2/self} (not wrapped in {@code data}); the readiness probe. */
    JsonNode self();

    /** Circuit breaker state: CLOSED, OPEN, HALF_OPEN (for health and the intake's 503). */
    String circuitBreakerState();

    // ---- schema (schema cache) -------------------------------------------------------------------------
    List<JsonNode> objects();

    /** target: "objects" or "lists"; identifier: slug or id. */
    List<JsonNode> attributes(String target, String identifier);

    List<JsonNode> selectOptions(String target, String identifier, String attribute);

    List<JsonNode> statuses(String target, String identifier, String attribute);

    List<JsonNode> lists();

    JsonNode list(String list);

    void invalidateSchema();

    // ---- records (record cache: key "<object>:<record_id>") ------------------------------------------------
    /** Cached; empty on 404. */
    Optional<JsonNode> getRecord(String object, String recordId);

    void invalidateRecord(String object, String recordId);

    /** {@code PUT /v2/objects/{object}/records?matching_attribute=...}; values: slug -> array. */
    JsonNode assertRecord(String object, String matchingAttribute, ObjectNode values);

    JsonNode createRecord(String object, ObjectNode values);

    /** PATCH: touches only the attributes sent, prepends to multiselects. */
    JsonNode updateRecord(String object, String recordId, ObjectNode values);

    /** One page of {@code POST /v2/objects/{object}/records/query}; query holds filter/sorts/limit/offset. */
    List<JsonNode> queryRecords(String object, ObjectNode query);

    // ---- list entries ---------------------------------------------------------------------------------------
    Optional<JsonNode> getEntry(String list, String entryId);

    /** {@code PUT /v2/lists/{list}/entries}: assert by parent record. */
    JsonNode assertEntry(String list, String parentObject, String parentRecordId, ObjectNode entryValues);

    List<JsonNode> queryEntries(String list, ObjectNode query);

    /** {@code GET /v2/objects/{object}/records/{record_id}/entries}, every page: {list_id, list_api_slug, entry_id}. */
    List<JsonNode> recordEntries(String object, String recordId);

    // ---- notes, tasks, comments -------------------------------------------------------------------------------
    /** format: "plaintext" or "markdown". */
    JsonNode createNote(String parentObject, String parentRecordId, String title, String format, String content);

    /**
     * Like {@link #createNote}, for a note an earlier attempt (another process's, before it died) may have made: the
     * parent's notes are looked through first and the note is created only when none has this title and content.
     */
    JsonNode createNoteIfAbsent(String parentObject, String parentRecordId, String title, String format,
                                String content);

    Optional<JsonNode> getNote(String noteId);

    Optional<JsonNode> getTask(String taskId);

    Optional<JsonNode> getComment(String commentId);

    // ---- webhooks (the bundle's own subscription) ----------------------------------------------------------------
    /** Every page of {@code GET /v2/webhooks} (secrets are never listed). */
    List<JsonNode> webhooks();

    /** Empty on 404. */
    Optional<JsonNode> getWebhook(String webhookId);

    /**
     * {@code POST /v2/webhooks}: the answer is the only place Attio ever shows the webhook's secret. Never sent twice:
     * after a failure that may have landed the caller must look for the webhook before creating another.
     */
    JsonNode createWebhook(String targetUrl, JsonNode subscriptions);

    /** {@code PATCH /v2/webhooks/{id}}: target and subscriptions replaced, the secret kept. */
    JsonNode updateWebhook(String webhookId, String targetUrl, JsonNode subscriptions);

    /** {@code DELETE /v2/webhooks/{id}}; false when Attio had no such webhook. */
    boolean deleteWebhook(String webhookId);
}

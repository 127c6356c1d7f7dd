package io.github.attiocamel.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import io.github.attiocamel.config.TraceContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.resilience4j.ResilienceProcessor;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link AttioGateway} over the YAML routes in {@code routes/attio-gateway.camel.yaml}: builds each call as an
 * {@link AttioRequest} (method, encoded path, query, JSON body, budget class) and leaves the Retry-After gate, the
 * throttles, retries, the breaker and the classification of the answer to the routes. Caches schema lists and
 * records (Caffeine).
 */
class CamelAttioGateway implements AttioGateway {

    static final String ROUTE = "direct:attio-gateway";
    static final String BREAKER_ID = "attio-gateway-breaker";
    // the page size asked of GET lists that take limit/offset (within every documented maximum)
    private static final int PAGE = 100;

    private final CamelContext camelContext;
    private final ObjectMapper mapper;
    private final Cache<String, List<JsonNode>> schemaCache;
    private final Cache<String, JsonNode> recordCache;
    /** Creates retried after a possibly lost answer, each only once the effect was looked for and not found. */
    private final int ambiguousRetries;
    /** Notes whose create may have landed and that were not found yet: looked for before they are sent again. */
    private final Set<String> unsettledNotes = ConcurrentHashMap.newKeySet();
    private static final int NOTE_PAGE = 50;
    private volatile ProducerTemplate template;

    CamelAttioGateway(CamelContext camelContext, ObjectMapper mapper, Cache<String, List<JsonNode>> schemaCache,
                      Cache<String, JsonNode> recordCache, int ambiguousRetries) {
        this.ambiguousRetries = ambiguousRetries;
        this.camelContext = camelContext;
        this.mapper = mapper;
        this.schemaCache = schemaCache;
        this.recordCache = recordCache;
    }

    // ---- health ----------------------------------------------------------------------------------------------

    @Override
    public JsonNode self() {
        return read("self", "/v2/self", null, null);
    }

    @Override
    public String circuitBreakerState() {
        ResilienceProcessor breaker = camelContext.getProcessor(BREAKER_ID, ResilienceProcessor.class);
        return breaker == null || breaker.getCircuitBreaker() == null ? "UNKNOWN" : breaker.getCircuitBreaker().getState().name();
    }

    // ---- schema --------------------------------------------------------------------------------------------

    @Override
    public List<JsonNode> objects() {
        return schema("objects", () -> list(read("objects", "/v2/objects", null, null)));
    }

    @Override
    public List<JsonNode> attributes(String target, String identifier) {
        String path = "/v2/" + target(target) + "/" + seg(identifier) + "/attributes";
        return schema("attributes:" + target + ":" + identifier, () -> pages("attributes", path));
    }

    @Override
    public List<JsonNode> selectOptions(String target, String identifier, String attribute) {
        String path = "/v2/" + target(target) + "/" + seg(identifier) + "/attributes/" + seg(attribute) + "/options";
        return schema("options:" + target + ":" + identifier + ":" + attribute,
                () -> list(read("select-options", path, null, null)));
    }

    @Override
    public List<JsonNode> statuses(String target, String identifier, String attribute) {
        String path = "/v2/" + target(target) + "/" + seg(identifier) + "/attributes/" + seg(attribute) + "/statuses";
        return schema("statuses:" + target + ":" + identifier + ":" + attribute,
                () -> list(read("statuses", path, null, null)));
    }

    @Override
    public List<JsonNode> lists() {
        return schema("lists", () -> list(read("lists", "/v2/lists", null, null)));
    }

    @Override
    public JsonNode list(String list) {
        return schema("list:" + list, () -> List.of(data(read("lists", "/v2/lists/" + seg(list), null, null)))).get(0);
    }

    @Override
    public void invalidateSchema() {
        schemaCache.invalidateAll();
    }

    // ---- records -------------------------------------------------------------------------------------------

    @Override
    public Optional<JsonNode> getRecord(String object, String recordId) {
        String key = recordKey(object, recordId);
        JsonNode cached = recordCache.getIfPresent(key);
        if (cached != null) {
            return Optional.of(cached.deepCopy());
        }
        Optional<JsonNode> record = notFoundAsEmpty(() -> data(read("records.get", recordPath(object, recordId), null, null)));
        record.ifPresent(r -> recordCache.put(key, r.deepCopy()));
        return record;
    }

    @Override
    public void invalidateRecord(String object, String recordId) {
        recordCache.invalidate(recordKey(object, recordId));
    }

    @Override
    public JsonNode assertRecord(String object, String matchingAttribute, ObjectNode values) {
        String query = "matching_attribute=" + URLEncoder.encode(matchingAttribute, StandardCharsets.UTF_8);
        return cached(object, data(write("records.assert", "PUT", "/v2/objects/" + seg(object) + "/records", query,
                valuesBody(values))));
    }

    @Override
    public JsonNode createRecord(String object, ObjectNode values) {
        return cached(object, data(write("records.create", "POST", "/v2/objects/" + seg(object) + "/records", null,
                valuesBody(values))));
    }

    @Override
    public JsonNode updateRecord(String object, String recordId, ObjectNode values) {
        invalidateRecord(object, recordId);
        return cached(object, data(write("records.update", "PATCH", recordPath(object, recordId), null, valuesBody(values))));
    }

    @Override
    public List<JsonNode> queryRecords(String object, ObjectNode query) {
        return list(readPost("records.query", "/v2/objects/" + seg(object) + "/records/query", query));
    }

    // ---- list entries ----------------------------------------------------------------------------------------

    @Override
    public Optional<JsonNode> getEntry(String list, String entryId) {
        return notFoundAsEmpty(() -> data(read("entries.get", entryPath(list, entryId), null, null)));
    }

    @Override
    public JsonNode assertEntry(String list, String parentObject, String parentRecordId, ObjectNode entryValues) {
        return data(write("entries.assert", "PUT", "/v2/lists/" + seg(list) + "/entries", null,
                entryBody(parentObject, parentRecordId, entryValues)));
    }

    @Override
    public List<JsonNode> recordEntries(String object, String recordId) {
        return pages("records.entries", recordPath(object, recordId) + "/entries");
    }

    @Override
    public List<JsonNode> queryEntries(String list, ObjectNode query) {
        return list(readPost("entries.query", "/v2/lists/" + seg(list) + "/entries/query", query));
    }

    // ---- notes, tasks, comments --------------------------------------------------------------------------------

    @Override
    public JsonNode createNote(String parentObject, String parentRecordId, String title, String format, String content) {
        ObjectNode data = mapper.createObjectNode();
        data.put("parent_object", parentObject);
        data.put("parent_record_id", parentRecordId);
        data.put("title", title);
        data.put("format", format);
        data.put("content", content);
        String key = noteKey(parentObject, parentRecordId, title, format, content);
        boolean mayExist = unsettledNotes.contains(key);
        for (int attempt = 0; ; attempt++) {
            try {
                if (mayExist) {
                    // the answer was lost or a 5xx came back: the note may exist, and a second POST would make two
                    Optional<JsonNode> landed = findNote(parentObject, parentRecordId, title, format, content);
                    if (landed.isPresent()) {
                        unsettledNotes.remove(key);
                        return landed.get();
                    }
                }
                JsonNode note = data(write("notes.create", "POST", "/v2/notes", null, wrap(data)));
                unsettledNotes.remove(key);
                return note;
            } catch (AttioException e) {
                if (e.mayHaveLanded()) {
                    // kept beyond this call: when the look cannot be made now (Attio down), the caller's retry makes it
                    unsettledNotes.add(key);
                }
                if (!e.mayHaveLanded() || attempt >= ambiguousRetries) {
                    throw e;
                }
                mayExist = true;
            }
        }
    }

    @Override
    public JsonNode createNoteIfAbsent(String parentObject, String parentRecordId, String title, String format,
                                       String content) {
        unsettledNotes.add(noteKey(parentObject, parentRecordId, title, format, content));
        return createNote(parentObject, parentRecordId, title, format, content);
    }

    private static String noteKey(String parentObject, String parentRecordId, String title, String format,
                                  String content) {
        return String.join("\u0000", parentObject, parentRecordId, title, format, content);
    }

    /** The parent's note with this title and content, read page by page (Attio lists at most 50 at a time). */
    private Optional<JsonNode> findNote(String parentObject, String parentRecordId, String title, String format,
                                        String content) {
        String field = "markdown".equals(format) ? "content_markdown" : "content_plaintext";
        for (int offset = 0; ; offset += NOTE_PAGE) {
            String query = "parent_object=" + URLEncoder.encode(parentObject, StandardCharsets.UTF_8)
                    + "&parent_record_id=" + URLEncoder.encode(parentRecordId, StandardCharsets.UTF_8)
                    + "&limit=" + NOTE_PAGE + "&offset=" + offset;
            List<JsonNode> page = list(read("notes.list", "/v2/notes", query, null));
            for (JsonNode note : page) {
                if (title.equals(note.path("title").asText(null)) && content.equals(note.path(field).asText(null))) {
                    return Optional.of(note);
                }
            }
            if (page.size() < NOTE_PAGE) {
                return Optional.empty();
            }
        }
    }

    @Override
    public Optional<JsonNode> getNote(String noteId) {
        return notFoundAsEmpty(() -> data(read("notes.get", "/v2/notes/" + seg(noteId), null, null)));
    }

    @Override
    public Optional<JsonNode> getTask(String taskId) {
        return notFoundAsEmpty(() -> data(read("tasks.get", "/v2/tasks/" + seg(taskId), null, null)));
    }

    @Override
    public Optional<JsonNode> getComment(String commentId) {
        return notFoundAsEmpty(() -> data(read("comments.get", "/v2/comments/" + seg(commentId), null, null)));
    }

    // ---- webhooks ------------------------------------------------------------------------------------------------

    @Override
    public List<JsonNode> webhooks() {
        return pages("webhooks.list", "/v2/webhooks");
    }

    @Override
    public Optional<JsonNode> getWebhook(String webhookId) {
        return notFoundAsEmpty(() -> data(read("webhooks.get", "/v2/webhooks/" + seg(webhookId), null, null)));
    }

    @Override
    public JsonNode createWebhook(String targetUrl, JsonNode subscriptions) {
        return data(write("webhooks.create", "POST", "/v2/webhooks", null, webhookBody(targetUrl, subscriptions)));
    }

    @Override
    public JsonNode updateWebhook(String webhookId, String targetUrl, JsonNode subscriptions) {
        return data(write("webhooks.update", "PATCH", "/v2/webhooks/" + seg(webhookId), null,
                webhookBody(targetUrl, subscriptions)));
    }

    @Override
    public boolean deleteWebhook(String webhookId) {
        return notFoundAsEmpty(() -> {
            write("webhooks.delete", "DELETE", "/v2/webhooks/" + seg(webhookId), null, null);
            return Boolean.TRUE;
        }).isPresent();
    }

    private ObjectNode webhookBody(String targetUrl, JsonNode subscriptions) {
        ObjectNode data = mapper.createObjectNode();
        data.put("target_url", targetUrl);
        data.set("subscriptions", subscriptions);
        return wrap(data);
    }

    // ---- plumbing --------------------------------------------------------------------------------------------

    private JsonNode read(String endpoint, String path, String query, JsonNode body) {
        return send(new AttioRequest(AttioRequest.READ, endpoint, "GET", path, query, toJson(body), true));
    }

    /** Every page of a GET that takes limit/offset: Attio documents no default page size, the end is a short page. */
    private List<JsonNode> pages(String endpoint, String path) {
        List<JsonNode> all = new ArrayList<>();
        for (int offset = 0; ; offset += PAGE) {
            List<JsonNode> page = list(read(endpoint, path, "limit=" + PAGE + "&offset=" + offset, null));
            all.addAll(page);
            if (page.size() < PAGE) {
                return all;
            }
        }
    }

    private JsonNode readPost(String endpoint, String path, JsonNode body) {
        return send(new AttioRequest(AttioRequest.READ, endpoint, "POST", path, null, toJson(body), true));
    }

    private JsonNode write(String endpoint, String method, String path, String query, JsonNode body) {
        // a POST creates something each time it lands; PUT (assert) and PATCH name what they change
        return send(new AttioRequest(AttioRequest.WRITE, endpoint, method, path, query, toJson(body),
                !"POST".equals(method)));
    }

    private JsonNode send(AttioRequest request) {
        // the call is an exchange of its own: it carries the caller's trace context (none while tracing is off), so
        // the gateway's spans and the HTTP call's join the caller's trace instead of starting one
        Exchange result = template().send(ROUTE, exchange -> {
            exchange.getMessage().setBody(request);
            TraceContext.propagate(exchange.getMessage()::setHeader);
        });
        Exception failure = result.getException();
        if (failure != null) {
            throw normalise(failure);
        }
        return result.getMessage().getBody(JsonNode.class);
    }

    /** The routes already normalise; this only covers failures outside them (context stopping, no route). */
    private static RuntimeException normalise(Exception failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AttioException attio) {
                return attio;
            }
            if (t instanceof IOException io) {
                return new AttioException(503, "api_error", "io_error", "Attio unreachable: " + io.getMessage(), null, io);
            }
        }
        return new AttioException(503, "api_error", AttioResponses.UNAVAILABLE_CODE,
                "Attio unavailable: " + failure.getMessage(), null, failure);
    }

    private ProducerTemplate template() {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                if (template == null) {
                    template = camelContext.createProducerTemplate();
                }
                t = template;
            }
        }
        return t;
    }

    private List<JsonNode> schema(String key, java.util.function.Supplier<List<JsonNode>> load) {
        // not computeIfAbsent: a miss calls Attio through the throttle, which must not hold a cache lock
        List<JsonNode> cached = schemaCache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        List<JsonNode> loaded = List.copyOf(load.get());
        schemaCache.put(key, loaded);
        return loaded;
    }

    private JsonNode cached(String object, JsonNode record) {
        String recordId = record.path("id").path("record_id").asText(null);
        if (recordId != null) {
            recordCache.put(recordKey(object, recordId), record.deepCopy());
        }
        return record;
    }

    static String recordKey(String object, String recordId) {
        return object + ":" + recordId;
    }

    private ObjectNode valuesBody(ObjectNode values) {
        ObjectNode data = mapper.createObjectNode();
        data.set("values", values);
        return wrap(data);
    }

    private ObjectNode entryBody(String parentObject, String parentRecordId, ObjectNode entryValues) {
        ObjectNode data = mapper.createObjectNode();
        data.put("parent_record_id", parentRecordId);
        data.put("parent_object", parentObject);
        data.set("entry_values", entryValues == null ? mapper.createObjectNode() : entryValues);
        return wrap(data);
    }

    private ObjectNode wrap(ObjectNode data) {
        ObjectNode body = mapper.createObjectNode();
        body.set("data", data);
        return body;
    }

    private static JsonNode data(JsonNode response) {
        return response.path("data");
    }

    private static List<JsonNode> list(JsonNode response) {
        List<JsonNode> rows = new ArrayList<>();
        response.path("data").forEach(rows::add);
        return rows;
    }

    private static <T> Optional<T> notFoundAsEmpty(java.util.function.Supplier<T> call) {
        try {
            return Optional.of(call.get());
        } catch (AttioException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private String toJson(JsonNode body) {
        if (body == null) {
            return null;
        }
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request body is not serialisable", e);
        }
    }

    private static String target(String target) {
        if (!"objects".equals(target) && !"lists".equals(target)) {
            throw new IllegalArgumentException("target must be \"objects\" or \"lists\", was " + target);
        }
        return target;
    }

    private static String recordPath(String object, String recordId) {
        return "/v2/objects/" + seg(object) + "/records/" + seg(recordId);
    }

    private static String entryPath(String list, String entryId) {
        return "/v2/lists/" + seg(list) + "/entries/" + seg(entryId);
    }

    private static String seg(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("path segment must not be blank");
        }
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

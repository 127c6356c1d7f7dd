package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.api.ConflictException;
import io.github.attiocamel.api.NotFoundException;
import io.github.attiocamel.api.PageRequest;
import io.github.attiocamel.api.ValidationException;
import io.github.attiocamel.config.MessageContract;
import io.github.attiocamel.gateway.AttioGateway;
import org.apache.camel.Body;
import org.apache.camel.Header;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conflict queue's API: {@code GET /api/conflicts} (open ones), {@code POST /api/conflicts/{id}:resolve} with
 * {@code {"use":"local"}} (the local value is written to Attio through the gateway, then the conflict closes) or
 * {@code {"use":"attio"}} (Attio's value stays; the conflict closes), and the conflicts a batch job queued.
 */
final class ConflictQueue {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RESOLVE = Pattern.compile("^(.*):resolve$");
    private static final Pattern ID = Pattern.compile("^[0-9]{1,18}$");

    private final ConflictRepository repository;
    private final AttioGateway gateway;
    private final int shownPerJob;
    private final Clock clock;

    ConflictQueue(ConflictRepository repository, AttioGateway gateway, int shownPerJob, Clock clock) {
        this.repository = repository;
        this.gateway = gateway;
        this.shownPerJob = shownPerJob;
        this.clock = clock;
    }

    /** One page of open conflicts, oldest first; {@code ?record_id=} narrows them to one person. */
    public Map<String, Object> page(@Header(MessageContract.PARAM_LIMIT) String limit,
                                    @Header(MessageContract.PARAM_OFFSET) String offset,
                                    @Header(MessageContract.PARAM_RECORD_ID) String recordId) {
        PageRequest page = PageRequest.of(limit, offset);
        String record = recordId == null || recordId.isBlank() ? null : recordId.trim();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("data", repository.open(record, null, page.limit(), page.offset()).stream()
                .map(ContactConflict::toAnswer).toList());
        answer.put("total", repository.countOpen(record, null));
        return answer;
    }

    /**
     * {@code {id}} arrives as {@code 12:resolve}: the colon verb is part of the last path segment. Writing the local
     * value again is harmless (Attio sets a single value; the same value changes nothing), so a resolve that failed
     * after the write can simply be sent again.
     */
    public Map<String, Object> resolve(@Header(MessageContract.PARAM_ID) String idAndVerb, @Body Object body) {
        Matcher verb = RESOLVE.matcher(idAndVerb == null ? "" : idAndVerb);
        if (!verb.matches()) {
            throw new NotFoundException("no such action: POST /api/conflicts/{id}:resolve");
        }
        Map<String, String> problems = new LinkedHashMap<>();
        if (!ID.matcher(verb.group(1)).matches()) {
            problems.put("id", "must be a conflict id (an integer)");
        }
        String use = use(body, problems);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        long id = Long.parseLong(verb.group(1));
        ContactConflict conflict = repository.find(id).orElseThrow(() -> new NotFoundException("no such conflict"));
        if (conflict.resolvedAt() != null) {
            throw new ConflictException("conflict " + id + " was resolved already (use " + conflict.resolution()
                    + ", at " + conflict.resolvedAt() + ")");
        }
        if ("local".equals(use)) {
            ObjectNode values = JsonNodeFactory.instance.objectNode();
            values.set(conflict.attribute(), conflict.localValue());
            gateway.updateRecord("people", conflict.recordId(), values);
        }
        Instant now = clock.instant();
        if (!repository.resolve(id, use, now)) {
            throw new ConflictException("conflict " + id + " was resolved already, by another request");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("outcome", "resolved");
        answer.put("use", use);
        answer.put("conflict", repository.find(id).orElseThrow().toAnswer());
        return answer;
    }

    /** A job's answer (GET /api/jobs/{id}) with the conflicts its rows queued and are still open. */
    public Map<String, Object> addToJob(@Body Map<String, Object> job) {
        String jobId = String.valueOf(job.get("job_id"));
        List<Map<String, Object>> open = repository.open(null, jobId, shownPerJob, 0).stream()
                .map(ContactConflict::toAnswer).toList();
        job.put("conflicts", open);
        job.put("conflicts_open", repository.countOpen(null, jobId));
        return job;
    }

    private static String use(Object body, Map<String, String> problems) {
        JsonNode json;
        try {
            json = body instanceof JsonNode j ? j
                    : body instanceof String s ? JSON.readTree(s)
                    : body instanceof byte[] b ? JSON.readTree(b)
                    : body == null ? null : JSON.valueToTree(body);
        } catch (IOException | IllegalArgumentException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            problems.put("body", "expected {\"use\": \"local\"} or {\"use\": \"attio\"}");
            return null;
        }
        json.fieldNames().forEachRemaining(f -> {
            if (!"use".equals(f)) {
                problems.put(f, "unknown field; known: use");
            }
        });
        String use = json.path("use").asText("");
        if (!json.path("use").isTextual() || !(use.equals("local") || use.equals("attio"))) {
            problems.put("use", "must be \"local\" (write the local value to Attio) or \"attio\" (keep Attio's)");
            return null;
        }
        return use;
    }
}

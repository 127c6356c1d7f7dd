package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.api.PageRequest;
import io.github.attiocamel.api.ValidationException;
import org.apache.camel.Header;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** /api/dead-letters: list them (newest first) and replay a webhook one into the inbox. */
public final class DeadLetterService {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final DeadLetterRepository deadLetters;
    private final WebhookInboxService inbox;

    public DeadLetterService(DeadLetterRepository deadLetters, WebhookInboxService inbox) {
        this.deadLetters = deadLetters;
        this.inbox = inbox;
    }

    public Map<String, Object> page(@Header("limit") String limit, @Header("offset") String offset) {
        PageRequest page = PageRequest.of(limit, offset);
        List<Map<String, Object>> data = deadLetters.page(page.limit(), page.offset()).stream().map(DeadLetterService::view).toList();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("data", data);
        result.put("total", deadLetters.count());
        return result;
    }

    /**
     * {@code {outcome: replayed|pending|not_found|not_replayable, ...}} (pending: its last replay has not finished, no
     * second one is queued): only the webhook flow's dead letters can be re-injected
     * here (other flows replay through their own APIs).
     */
    public Map<String, Object> replay(@Header("id") String id) {
        long letterId;
        try {
            letterId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ValidationException(Map.of("id", "must be a dead letter id (an integer)"));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        Optional<DeadLetter> letter = deadLetters.find(letterId);
        if (letter.isEmpty()) {
            result.put("outcome", "not_found");
        } else if (!WebhookInboxService.DEAD_LETTER_SOURCE.equals(letter.get().source())) {
            result.put("outcome", "not_replayable");
            result.put("source", letter.get().source());
        } else {
            result.put("outcome", inbox.replay(letterId) ? "replayed" : "pending");
            result.put("id", letterId);
        }
        return result;
    }

    private static Map<String, Object> view(DeadLetter d) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", d.id());
        v.put("source", d.source());
        v.put("error", d.error());
        v.put("attio_status", d.attioStatus());
        v.put("attio_code", d.attioCode());
        v.put("created_at", d.createdAt() == null ? null : d.createdAt().toString());
        v.put("replayed_at", d.replayedAt() == null ? null : d.replayedAt().toString());
        v.put("replay_count", d.replayCount());
        v.put("payload", json(d.payload()));
        return v;
    }

    /** A payload that is not JSON (a hand-edited row) is shown as text rather than hidden. */
    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            return MAPPER.getNodeFactory().textNode(text);
        }
    }
}

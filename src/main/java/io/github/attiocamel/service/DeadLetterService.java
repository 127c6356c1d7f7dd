package io.github.attiocamel.service;

import io.github.attiocamel.api.ValidationException;
import io.github.attiocamel.store.DeadLetter;
import io.github.attiocamel.store.DeadLetterRepository;
import org.apache.camel.Header;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** /api/dead-letters: list them (newest first) and replay a webhook one into the inbox. */
public final class DeadLetterService {

    private final DeadLetterRepository deadLetters;
    private final WebhookInboxService inbox;

    public DeadLetterService(DeadLetterRepository deadLetters, WebhookInboxService inbox) {
        this.deadLetters = deadLetters;
        this.inbox = inbox;
    }

    public Map<String, Object> page(@Header("limit") String limit, @Header("offset") String offset) {
        Map<String, String> problems = new LinkedHashMap<>();
        int l = MirrorQueryService.intParam(limit, 50, 1, MirrorQueryService.MAX_LIMIT, "limit", problems);
        int o = MirrorQueryService.intParam(offset, 0, 0, Integer.MAX_VALUE, "offset", problems);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        List<Map<String, Object>> data = deadLetters.page(l, o).stream().map(DeadLetterService::view).toList();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("data", data);
        result.put("total", deadLetters.count());
        return result;
    }

    /**
     * {@code {outcome: replayed|not_found|not_replayable, ...}}: only the webhook flow's dead letters can be re-injected
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
            inbox.replay(letterId);
            result.put("outcome", "replayed");
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
        v.put("payload", MirrorQueryService.json(d.payload()));
        return v;
    }
}

package io.github.attiocamel.webhook;

import java.util.List;
import java.util.Map;

/**
 * What a webhook handler did: the change messages to publish (empty when nothing really changed) and whether a fetch
 * was saved because the record had already been fetched after the event arrived (burst coalescing).
 */
public final class HandlerResult {

    private static final HandlerResult NOTHING = new HandlerResult(List.of(), false);
    private static final HandlerResult SAVED = new HandlerResult(List.of(), true);

    private final List<Map<String, Object>> changes;
    private final boolean fetchSaved;

    private HandlerResult(List<Map<String, Object>> changes, boolean fetchSaved) {
        this.changes = changes;
        this.fetchSaved = fetchSaved;
    }

    public static HandlerResult nothing() {
        return NOTHING;
    }

    public static HandlerResult fetchSavedResult() {
        return SAVED;
    }

    public static HandlerResult of(List<Map<String, Object>> changes) {
        return changes.isEmpty() ? NOTHING : new HandlerResult(List.copyOf(changes), false);
    }

    public List<Map<String, Object>> getChanges() {
        return changes;
    }

    public boolean isFetchSaved() {
        return fetchSaved;
    }
}

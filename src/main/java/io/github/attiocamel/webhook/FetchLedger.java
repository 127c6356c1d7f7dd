package io.github.attiocamel.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.time.Instant;

/**
 * Burst coalescing: when each record (or entry) was last fetched. A fetch that STARTED after an event was received
 * already shows what that event announced, so the event needs no fetch of its own. Attio sends one record.updated
 * per changed attribute, so one edit of ten attributes costs one GET instead of ten. Kept in memory only: after a
 * restart the first event of a record simply fetches again, which is correct, merely not saved.
 */
final class FetchLedger {

    private final Cache<String, Instant> fetchedAt;

    public FetchLedger(Duration memory, long maxEntries) {
        this.fetchedAt = Caffeine.newBuilder().expireAfterWrite(memory).maximumSize(maxEntries).build();
    }

    /** True when {@code key} was fetched by a fetch that started after {@code receivedAt}. */
    public boolean fetchedSince(String key, Instant receivedAt) {
        Instant at = fetchedAt.getIfPresent(key);
        return at != null && receivedAt != null && at.isAfter(receivedAt);
    }

    public void recordFetch(String key, Instant startedAt) {
        fetchedAt.asMap().merge(key, startedAt, (old, now) -> now.isAfter(old) ? now : old);
    }

    /** A change we did not fetch (a deletion) makes earlier fetches stale. */
    public void forget(String key) {
        fetchedAt.invalidate(key);
    }
}

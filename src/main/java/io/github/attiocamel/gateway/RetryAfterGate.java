package io.github.attiocamel.gateway;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared "come back at" time per budget class (read, write). A 429 closes the gate of its class until the
 * Retry-After instant; the gateway routes wait on it with an async {@code delay}, so a 429 pauses only its own class
 * and nobody waits past the instant Attio named.
 */
public class RetryAfterGate {

    private final Map<String, Instant> closedUntil = new ConcurrentHashMap<>();
    private final Clock clock;

    public RetryAfterGate() {
        this(Clock.systemUTC());
    }

    RetryAfterGate(Clock clock) {
        this.clock = clock;
    }

    /** Closes the gate of a budget class until {@code until}; a later instant already set wins. */
    public void closeUntil(String budget, Instant until) {
        closedUntil.merge(budget, until, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Milliseconds a request of this class must still wait (0 when open); rounded up, never early. */
    public long millisUntilOpen(String budget) {
        Instant until = closedUntil.get(budget);
        if (until == null) {
            return 0;
        }
        long nanos = until.toEpochMilli() * 1_000_000L - nowNanos();
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }

    private long nowNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}

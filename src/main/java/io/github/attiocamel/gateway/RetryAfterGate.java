package io.github.attiocamel.gateway;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

/**
 * The shared "come back at" time per lane: the read and write budgets, and queries within reads. A 429 closes the
 * gate of its lane until the Retry-After instant, but never for less than a jittered floor: a date already past (clock
 * skew) would otherwise send every waiting retry at once. The gateway routes wait on it with an async {@code delay},
 * so a 429 pauses only its own lane: a query's 429 (Attio's score-based limit on queries) slows queries, while record
 * fetches and other reads go on; every read's 429 closes the read lane, which queries wait for too. In workspace scope
 * the gate also tells the other processes ({@link #onRateLimited}) and takes their holds ({@link #holdUntil}).
 */
public class RetryAfterGate {

    private static final String QUERY_LANE = ":query";

    private final Map<String, Instant> closedUntil = new ConcurrentHashMap<>();
    private final long floorMillis;
    private final Clock clock;
    private volatile BiConsumer<String, Instant> shared = (lane, until) -> { };

    public RetryAfterGate(long floorMillis) {
        this(floorMillis, Clock.systemUTC());
    }

    RetryAfterGate(long floorMillis, Clock clock) {
        this.floorMillis = floorMillis;
        this.clock = clock;
    }

    /** After a 429 of this request: its lane closes until Attio's date, or the floor plus up to half of it again. */
    public void rateLimited(AttioRequest request, Instant retryAfter) {
        long jitter = floorMillis <= 1 ? 0 : ThreadLocalRandom.current().nextLong(floorMillis / 2 + 1);
        Instant floor = clock.instant().plusMillis(floorMillis + jitter);
        Instant until = retryAfter == null || retryAfter.isBefore(floor) ? floor : retryAfter;
        String lane = lane(request);
        shared.accept(lane, closedUntil.merge(lane, until, RetryAfterGate::later));
    }

    /** Who else must know of a lane's hold (the workspace budget records it for the other processes). */
    void onRateLimited(BiConsumer<String, Instant> publisher) {
        this.shared = publisher;
    }

    /** A hold another process recorded: merged like one of ours, not told again. */
    void holdUntil(String lane, Instant until) {
        closedUntil.merge(lane, until, RetryAfterGate::later);
    }

    /** Milliseconds a request of this budget (a query or not) must still wait, as {@link #millisUntilOpen(AttioRequest)}. */
    long millisUntilOpen(String budget, boolean query) {
        Instant own = closedUntil.getOrDefault(budget, Instant.MIN);
        Instant lane = query ? closedUntil.getOrDefault(budget + QUERY_LANE, Instant.MIN) : Instant.MIN;
        return millisUntil(later(own, lane));
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** When the lane of this request opens again (its own and, for a query, the read lane). */
    public Instant openAt(AttioRequest request) {
        Instant budget = closedUntil.getOrDefault(request.budget(), Instant.MIN);
        Instant lane = closedUntil.getOrDefault(lane(request), Instant.MIN);
        return budget.isAfter(lane) ? budget : lane;
    }

    /** Milliseconds this request must still wait (0 when open); rounded up, never early. */
    public long millisUntilOpen(AttioRequest request) {
        return millisUntil(openAt(request));
    }

    private long millisUntil(Instant until) {
        if (until.equals(Instant.MIN)) {
            return 0;
        }
        long nanos = until.toEpochMilli() * 1_000_000L - nowNanos();
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }

    private static String lane(AttioRequest request) {
        return request.endpoint().endsWith(".query") ? request.budget() + QUERY_LANE : request.budget();
    }

    private long nowNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}

package io.github.attiocamel.gateway;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BlockingStrategy;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One rate budget per Attio workspace for every process sharing the PostgreSQL store: Attio counts reads and writes
 * per workspace across all tokens, so processes that each spent the whole budget would together be refused.
 *
 * <p>Each lane (read, write) is a Bucket4j bucket in table {@code attio_rate_bucket} of capacity one, refilled one
 * permit per {@code (1 s + arrival jitter) / budget}: permits are taken at least that far apart, whichever process
 * takes them, and a waiting request reserves the next free one in the same round trip. Requests that reach Attio at
 * most the jitter later than their permits were taken therefore put at most the budget into any second at Attio. A
 * thread that wakes more than half the jitter after its permit's moment (a busy host) drops it and takes a new one.
 *
 * <p>The spacing assumes requests reach Attio about when their permits say; a busy host breaks that. The exact bound
 * is a window of slots in {@code attio_rate_slot}, the cross-process form of {@link WireBudget}'s: a request takes a
 * slot before it leaves and marks it answered when its headers are back, and a slot is free again one second after
 * (by the database's clock). N+1 arrivals within one second at Attio would need the last of them to take a slot
 * while the other N were in flight or answered less than a second before, which the slots forbid.
 *
 * <p>A 429 seen by one process holds them all: its Retry-After is recorded per workspace and lane in
 * {@code attio_rate_hold}, and its lane's bucket is put into debt until then, so every permit taken after the 429 lies
 * after the hold. Each process reads the holds every {@code attio.budget.hold-poll-millis} into its own
 * {@link RetryAfterGate}, which stops requests that had reserved a permit before the hold was recorded.
 */
final class WorkspaceBudget {

    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceBudget.class);
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final DataSource dataSource;
    private final ProxyManager<String> buckets;
    private final RetryAfterGate gate;
    private final Clock clock;
    private final Map<String, Long> periodNanos;
    private final long lateNanos;
    private final Map<String, Bucket> bucketByKey = new ConcurrentHashMap<>();
    private final Map<String, Integer> budgets;
    private final Duration abandonedAfter;
    private final Map<String, Boolean> slotsCreated = new ConcurrentHashMap<>();
    private volatile String workspaceKey;
    private volatile boolean storeFailing;

    WorkspaceBudget(DataSource dataSource, RetryAfterGate gate, int readsPerSecond, int writesPerSecond,
                    Duration arrivalJitter, Duration abandonedAfter, String workspaceKey, Clock clock) {
        this.dataSource = dataSource;
        this.budgets = Map.of("read", readsPerSecond, "write", writesPerSecond);
        this.abandonedAfter = abandonedAfter;
        this.gate = gate;
        this.clock = clock;
        this.workspaceKey = workspaceKey;
        // half the jitter allowed for a late wake-up, half for the way to Attio
        this.lateNanos = arrivalJitter.toNanos() / 2;
        this.periodNanos = Map.of("read", periodNanos(readsPerSecond, arrivalJitter),
                "write", periodNanos(writesPerSecond, arrivalJitter));
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING).table("attio_rate_bucket").idColumn("id")
                .stateColumn("state").build();
        gate.onRateLimited(this::publishHold);
    }

    /** Nanoseconds between two permits of a lane: a second plus the jitter allowed, shared by the budget. */
    static long periodNanos(int perSecond, Duration arrivalJitter) {
        return (SECOND_NANOS + arrivalJitter.toNanos()) / perSecond;
    }

    String workspaceKey() {
        return workspaceKey;
    }

    /** The key Attio's {@code GET /v2/self} gave (the token's hash until then); buckets and holds move to it. */
    void useWorkspace(String key) {
        if (!key.equals(workspaceKey)) {
            workspaceKey = key;
            bucketByKey.clear();
            slotsCreated.clear();
            LOG.info("[attio-gateway] rate budgets shared per workspace as {}", key);
        }
    }

    /**
     * Blocks until a request of this lane may leave: no hold on its lane, a permit of the workspace's bucket and a slot
     * of its window (to {@link #release} when the answer is back). Null when the store cannot give permits (the caller
     * then holds only its own process's budget).
     */
    Slot acquire(String budget, boolean query) throws InterruptedIOException {
        try {
            while (true) {
                long held = gate.millisUntilOpen(budget, query);
                if (held > 0) {
                    TimeUnit.MILLISECONDS.sleep(held);
                    continue;
                }
                long asked = System.nanoTime();
                long[] slot = {asked};
                // the permit's moment as the answer tells it: a wait for the row's lock comes before it, not after
                bucket(budget).asBlocking().consume(1, nanos -> {
                    slot[0] = System.nanoTime() + nanos;
                    BlockingStrategy.PARKING.park(nanos);
                });
                if (slot[0] == asked) {
                    slot[0] = System.nanoTime();
                }
                storeRecovered();
                // a permit whose moment this thread missed (a busy host, a pause) would bunch with the next ones at
                // Attio, and one inside a hold recorded meanwhile is refused there: either way, take a new one
                if (System.nanoTime() - slot[0] <= lateNanos && gate.millisUntilOpen(budget, query) == 0) {
                    return takeSlot(budget);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the Attio workspace budget");
        } catch (SQLException | RuntimeException e) {
            storeFailed(e);
            return null;
        }
    }

    /** A slot of the lane's window, held from before the request leaves until its answer is back. */
    record Slot(String workspaceKey, String lane, int slot, Timestamp takenAt) {
    }

    /** Waits for a free slot of the lane's window and takes it (one UPDATE, rows locked by others skipped). */
    private Slot takeSlot(String lane) throws SQLException, InterruptedException {
        String key = workspaceKey;
        int budget = budgets.get(lane);
        try (Connection c = dataSource.getConnection()) {
            if (slotsCreated.putIfAbsent(key + "/" + lane, Boolean.TRUE) == null) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO attio_rate_slot (workspace_key, lane, slot) "
                        + "SELECT ?, ?, n FROM generate_series(1, ?) AS n ON CONFLICT DO NOTHING")) {
                    s.setString(1, key);
                    s.setString(2, lane);
                    s.setInt(3, budget);
                    s.executeUpdate();
                }
            }
            String free = "(taken_at IS NULL OR released_at <= clock_timestamp() - INTERVAL '1 second' "
                    + "OR (released_at IS NULL AND taken_at <= clock_timestamp() - CAST(? AS INTERVAL)))";
            try (PreparedStatement take = c.prepareStatement("UPDATE attio_rate_slot SET taken_at = clock_timestamp(), "
                    + "released_at = NULL WHERE (workspace_key, lane, slot) = (SELECT workspace_key, lane, slot FROM "
                    + "attio_rate_slot WHERE workspace_key = ? AND lane = ? AND slot <= ? AND " + free
                    + " ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING slot, taken_at");
                 PreparedStatement next = c.prepareStatement("SELECT CAST(EXTRACT(EPOCH FROM MIN(CASE WHEN released_at "
                    + "IS NULL THEN taken_at + CAST(? AS INTERVAL) ELSE released_at + INTERVAL '1 second' END) "
                    + "- clock_timestamp()) * 1000 AS BIGINT) FROM attio_rate_slot WHERE workspace_key = ? AND lane = ? "
                    + "AND slot <= ?")) {
                String abandoned = abandonedAfter.toMillis() + " milliseconds";
                while (true) {
                    take.setString(1, key);
                    take.setString(2, lane);
                    take.setInt(3, budget);
                    take.setString(4, abandoned);
                    try (ResultSet rs = take.executeQuery()) {
                        if (rs.next()) {
                            return new Slot(key, lane, rs.getInt(1), rs.getTimestamp(2));
                        }
                    }
                    next.setString(1, abandoned);
                    next.setString(2, key);
                    next.setString(3, lane);
                    next.setInt(4, budget);
                    long waitMillis = 1;
                    try (ResultSet rs = next.executeQuery()) {
                        if (rs.next()) {
                            waitMillis = rs.getLong(1);
                        }
                    }
                    // a slot answered elsewhere frees at its second's end; look again then (or soon, if it is now)
                    TimeUnit.MILLISECONDS.sleep(Math.max(1, Math.min(waitMillis, 1000)));
                }
            }
        }
    }

    /** The request's answer is back (or it failed): its slot frees one second from now. */
    void release(Slot slot) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE attio_rate_slot SET released_at = clock_timestamp() "
                     + "WHERE workspace_key = ? AND lane = ? AND slot = ? AND taken_at = ?")) {
            s.setString(1, slot.workspaceKey());
            s.setString(2, slot.lane());
            s.setInt(3, slot.slot());
            s.setTimestamp(4, slot.takenAt());
            s.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            // unreleased, the slot frees after the response timeout: slower, never over the budget
            storeFailed(e);
        }
    }

    /** This process's 429: recorded for the others, and the lane's bucket in debt until the hold ends. */
    void publishHold(String lane, Instant until) {
        String key = workspaceKey;
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO attio_rate_hold (workspace_key, lane, until_at) "
                     + "VALUES (?, ?, ?) ON CONFLICT (workspace_key, lane) DO UPDATE "
                     + "SET until_at = GREATEST(attio_rate_hold.until_at, EXCLUDED.until_at)")) {
            s.setString(1, key);
            s.setString(2, lane);
            s.setTimestamp(3, Timestamp.from(until));
            s.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("[attio-gateway] could not record the {} hold for the other processes: {}", lane, e.toString());
        }
        Long period = periodNanos.get(lane);
        long aheadNanos = Duration.between(clock.instant(), until).toNanos();
        if (period != null && aheadNanos > 0) {
            try {
                bucket(lane).consumeIgnoringRateLimits((aheadNanos + period - 1) / period);
            } catch (RuntimeException e) {
                storeFailed(e);
            }
        }
    }

    /** Takes the holds the other processes recorded into this process's gate. */
    void pollHolds() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT lane, until_at FROM attio_rate_hold WHERE workspace_key = ?")) {
            s.setString(1, workspaceKey);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    gate.holdUntil(rs.getString(1), rs.getTimestamp(2).toInstant());
                }
            }
        } catch (SQLException | RuntimeException e) {
            storeFailed(e);
        }
    }

    private Bucket bucket(String budget) {
        String id = workspaceKey + "/" + budget;
        return bucketByKey.computeIfAbsent(id, k -> {
            long period = periodNanos.get(budget);
            BucketConfiguration configuration = BucketConfiguration.builder()
                    .addLimit(Bandwidth.builder().capacity(1).refillGreedy(1, Duration.ofNanos(period)).initialTokens(1)
                            .build())
                    .build();
            // the slowest period any process asks for wins (a larger version replaces a smaller one, never back)
            return buckets.builder().withImplicitConfigurationReplacement(period, TokensInheritanceStrategy.RESET)
                    .build(k, () -> configuration);
        });
    }

    private void storeFailed(Exception e) {
        if (!storeFailing) {
            storeFailing = true;
            LOG.warn("[attio-gateway] workspace rate budget unavailable ({}); each process holds only its own budget "
                    + "until the store answers again", e.toString());
        }
    }

    private void storeRecovered() {
        if (storeFailing) {
            storeFailing = false;
            LOG.info("[attio-gateway] workspace rate budget available again");
        }
    }
}

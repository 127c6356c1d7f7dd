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
    private volatile String workspaceKey;
    private volatile boolean storeFailing;

    WorkspaceBudget(DataSource dataSource, RetryAfterGate gate, int readsPerSecond, int writesPerSecond,
                    Duration arrivalJitter, String workspaceKey, Clock clock) {
        this.dataSource = dataSource;
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
            LOG.info("[attio-gateway] rate budgets shared per workspace as {}", key);
        }
    }

    /**
     * Blocks until a request of this lane may leave: no hold on its lane and a permit of the workspace's bucket. False
     * when the store cannot give permits (the caller then holds only its own process's budget).
     */
    boolean acquire(String budget, boolean query) throws InterruptedIOException {
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
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the Attio workspace budget");
        } catch (RuntimeException e) {
            storeFailed(e);
            return false;
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

package io.github.attiocamel.store;

import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared tracker of long-running work on one store, several "processes" (trackers under their own holder names)
 * included: the lifecycle, and the takeover rule (a live holder keeps its work, a stale one loses it to exactly one
 * adopter, a clean stop's work is adopted at once).
 */
@BothStores
class WorkTrackerTest {

    private static final Duration STALE_AFTER = Duration.ofSeconds(10);
    private static final String KIND = "test-work";

    private TestStores.Store db;
    private AttioStore store;
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));

    @BeforeEach
    void openStore() throws SQLException {
        db = TestStores.open("work", 6);
        store = db.store();
    }

    @AfterEach
    void closeStore() throws SQLException {
        db.close();
    }

    private WorkTracker process(String name) {
        WorkTracker tracker = new WorkTracker(new WorkRepository(store.dataSource(), name), STALE_AFTER, clock);
        tracker.register(new WorkTracker.Kind(KIND, "attio.test", w -> w.workId() + " " + w.done() + "/" + w.total()));
        return tracker;
    }

    private String create(WorkTracker tracker, long total) {
        String id = UUID.randomUUID().toString();
        tracker.repository().inTransaction("create", c -> {
            tracker.repository().create(c, id, KIND, total, clock.instant());
            return null;
        });
        tracker.hold(id, KIND);
        return id;
    }

    private WorkStatus status(WorkTracker tracker, String id) {
        return tracker.repository().find(id).orElseThrow();
    }

    @Test
    void workGoesFromQueuedToRunningToCompletedWithItsProgress() {
        WorkTracker a = process("a");
        String id = create(a, 100);

        assertThat(status(a, id)).extracting(WorkStatus::state, WorkStatus::holder, WorkStatus::heartbeatAt)
                .containsExactly(WorkStatus.QUEUED, "a", clock.instant());
        clock.advance(Duration.ofSeconds(1));
        assertThat(a.repository().start(id, clock.instant())).isTrue();
        clock.advance(Duration.ofSeconds(4));
        assertThat(a.repository().addDone(id, 40)).isTrue();

        WorkStatus running = status(a, id);
        assertThat(running.state()).isEqualTo(WorkStatus.RUNNING);
        assertThat(running.rate(clock.instant())).isEqualTo(10.0);
        assertThat(running.etaSeconds(clock.instant())).isEqualTo(6L);

        clock.advance(Duration.ofSeconds(6));
        assertThat(a.repository().finish(id, WorkStatus.COMPLETED, null, clock.instant())).isTrue();
        assertThat(a.repository().finish(id, WorkStatus.FAILED, "late", clock.instant()))
                .as("finished work stays finished").isFalse();
        assertThat(a.repository().addDone(id, 1)).isFalse();
        WorkStatus done = status(a, id);
        assertThat(done.state()).isEqualTo(WorkStatus.COMPLETED);
        assertThat(done.etaSeconds(clock.instant())).isZero();
        assertThat(done.active()).isFalse();
    }

    @Test
    void failedWorkKeepsItsErrorAndIsNeverAdopted() {
        WorkTracker a = process("a");
        String id = create(a, 5);
        a.repository().finish(id, WorkStatus.FAILED, "boom", clock.instant());
        clock.advance(Duration.ofMinutes(5));

        assertThat(status(a, id)).extracting(WorkStatus::state, WorkStatus::error)
                .containsExactly(WorkStatus.FAILED, "boom");
        assertThat(process("b").adoptStale()).isEmpty();
    }

    @Test
    void aLiveHolderKeepsItsWorkAndAStaleOneLosesItAndStops() {
        WorkTracker a = process("a");
        WorkTracker b = process("b");
        String id = create(a, 10);
        a.repository().start(id, clock.instant());

        // a renews every few seconds: however long the work runs, b never takes it
        for (int beat = 0; beat < 10; beat++) {
            clock.advance(Duration.ofSeconds(4));
            a.heartbeat();
            assertThat(b.adoptStale()).as("beat %d", beat).isEmpty();
        }
        assertThat(a.holds(id)).isTrue();

        // a stalls: after stale-after without a heartbeat, b adopts it
        clock.advance(STALE_AFTER.minusSeconds(1));
        assertThat(b.adoptStale()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(b.adoptStale()).extracting(WorkStatus::workId).containsExactly(id);
        assertThat(status(b, id)).extracting(WorkStatus::holder, WorkStatus::resumes).containsExactly("b", 1);

        // a wakes up: its writes are refused, and its next heartbeat tells it to stop
        assertThat(a.repository().addDone(id, 5)).isFalse();
        assertThat(a.repository().finish(id, WorkStatus.COMPLETED, null, clock.instant())).isFalse();
        a.heartbeat();
        assertThat(a.holds(id)).isFalse();
        assertThat(b.holds(id)).isTrue();
        assertThat(b.repository().addDone(id, 5)).isTrue();
    }

    @RepeatedTest(10)
    void staleWorkIsAdoptedByExactlyOneOfTwoConcurrentAdopters() throws Exception {
        String id = create(process("dead"), 10);
        clock.advance(STALE_AFTER.plusSeconds(1));
        WorkTracker b = process("b");
        WorkTracker c = process("c");
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<List<WorkStatus>> byB = CompletableFuture.supplyAsync(() -> adoptAfter(together, b), threads);
            CompletableFuture<List<WorkStatus>> byC = CompletableFuture.supplyAsync(() -> adoptAfter(together, c), threads);

            List<List<WorkStatus>> results = List.of(byB.get(30, TimeUnit.SECONDS), byC.get(30, TimeUnit.SECONDS));

            assertThat(results).filteredOn(r -> !r.isEmpty()).hasSize(1);
            assertThat(b.holds(id) ^ c.holds(id)).isTrue();
            assertThat(status(b, id).holder()).isEqualTo(b.holds(id) ? "b" : "c");
            assertThat(status(b, id).resumes()).isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
    }

    private static List<WorkStatus> adoptAfter(CyclicBarrier together, WorkTracker tracker) {
        try {
            together.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return tracker.adoptStale();
    }

    @Test
    void workReleasedByACleanStopIsAdoptedAtOnceAndContinuesWhereItWas() {
        WorkTracker a = process("a");
        String id = create(a, 10);
        a.repository().start(id, clock.instant());
        a.repository().addDone(id, 4);
        AutoCloseableFlag pager = new AutoCloseableFlag();
        a.attach(id, pager);

        a.release();

        assertThat(pager.closed).as("the work's resources are closed with it").isTrue();
        assertThat(status(a, id).holder()).isNull();
        WorkTracker next = process("next-start");
        assertThat(next.adoptStale()).extracting(WorkStatus::workId).containsExactly(id);
        WorkStatus adopted = status(next, id);
        assertThat(adopted).extracting(WorkStatus::state, WorkStatus::done, WorkStatus::doneAtHold)
                .containsExactly(WorkStatus.RUNNING, 4L, 4L);
        clock.advance(Duration.ofSeconds(2));
        next.repository().addDone(id, 6);
        assertThat(status(next, id).rate(clock.instant())).as("the new holder's own rate").isEqualTo(3.0);
    }

    @Test
    void adoptedWorkAFlowCannotTakeUpIsAdoptedAgainOnceStale() {
        String id = create(process("dead"), 10);
        clock.advance(STALE_AFTER.plusSeconds(1));
        WorkTracker b = process("b");
        assertThat(b.adoptStale()).hasSize(1);

        b.giveUp(id, new IllegalStateException("cannot continue"));
        b.heartbeat();
        clock.advance(STALE_AFTER.plusSeconds(1));

        assertThat(b.holds(id)).isFalse();
        assertThat(process("c").adoptStale()).extracting(WorkStatus::workId).containsExactly(id);
    }

    @Test
    void onlyRegisteredKindsAreAdopted() {
        WorkTracker a = process("a");
        String id = UUID.randomUUID().toString();
        a.repository().inTransaction("create", c -> {
            a.repository().create(c, id, "kind-of-a-newer-version", 1, clock.instant());
            return null;
        });
        clock.advance(STALE_AFTER.plusSeconds(1));

        assertThat(process("b").adoptStale()).isEmpty();
    }

    private static final class AutoCloseableFlag implements AutoCloseable {
        volatile boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}

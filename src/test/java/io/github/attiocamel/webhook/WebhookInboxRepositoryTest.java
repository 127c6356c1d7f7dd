package io.github.attiocamel.webhook;

import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.store.WorkRepository;
import io.github.attiocamel.store.WorkTracker;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

@BothStores
class WebhookInboxRepositoryTest {

    private TestStores.Store db;
    private AttioStore store;
    private DeadLetterRepository deadLetters;
    private WebhookInboxRepository inbox;

    @BeforeEach
    void openStore() throws SQLException {
        db = TestStores.open("inbox", 8);
        store = db.store();
        deadLetters = new DeadLetterRepository(store.dataSource());
        inbox = new WebhookInboxRepository(store.dataSource(), deadLetters, "holder-a");
        tracker("holder-a").showPresence();
    }

    private WorkTracker tracker(String holder) {
        return new WorkTracker(new WorkRepository(store.dataSource(), holder), Duration.ofSeconds(10),
                Clock.systemUTC());
    }

    @AfterEach
    void closeStore() throws SQLException {
        db.close();
    }

    @Test
    void aKeyIsAcceptedOnceEvenConcurrently() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> inbox.accept("key-1", "{}", null, Instant.now(), null)));
            }
            int stored = 0;
            for (Future<Boolean> r : results) {
                stored += r.get() ? 1 : 0;
            }
            assertThat(stored).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(inbox.countByState()).containsEntry("received", 1L).hasSize(1);
        assertThat(inbox.seen("key-1")).isTrue();
        assertThat(inbox.seen("key-2")).isFalse();
    }

    @Test
    void claimsRespectCoalescingWindowBackoffAndLeases() {
        // whole milliseconds: the column keeps microseconds, and a rounded-up nanosecond would miss "<= t0"
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        inbox.accept("a", "{\"n\":1}", null, t0.minusSeconds(2), null);
        inbox.accept("b", "{\"n\":2}", null, t0, null);
        List<InboxRow> first = inbox.claim(10, t0, t0.minusSeconds(1), t0.minusSeconds(60));
        assertThat(first).extracting(InboxRow::idempotencyKey).containsExactly("a");
        assertThat(first.get(0).attempts()).isEqualTo(1);
        // claimed by a live process: nobody else gets it until that process shows no life
        assertThat(inbox.claim(10, t0, t0, t0.minusSeconds(60))).extracting(InboxRow::idempotencyKey).containsExactly("b");
        assertThat(inbox.claim(10, t0, t0, t0.minusSeconds(60))).isEmpty();
        assertThat(inbox.claim(10, t0.plusSeconds(120), t0, t0.plusSeconds(60))).hasSize(2);

        InboxRow a = first.get(0);
        inbox.retryLater(a.id(), "{\"n\":1,\"retry\":true}", "boom", t0.plusSeconds(30), true, List.of(), t0);
        assertThat(inbox.claim(10, t0.plusSeconds(10), t0.plusSeconds(10), t0.minusSeconds(60))).isEmpty();
        List<InboxRow> retried = inbox.claim(10, t0.plusSeconds(31), t0.plusSeconds(31), t0.minusSeconds(60));
        assertThat(retried).singleElement().satisfies(r -> {
            assertThat(r.body()).isEqualTo("{\"n\":1,\"retry\":true}");
            assertThat(r.attempts()).isEqualTo(3);
        });
    }

    @Test
    void aClaimIsTakenOverOnlyOnceItsClaimerShowsNoLifeAndTheOldClaimerCannotFinishIt() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        inbox.accept("a", "{}", null, t0.minusSeconds(1), null);
        InboxRow mine = inbox.claim(10, t0, t0, t0.minusSeconds(10)).get(0);
        WorkTracker b = tracker("holder-b");
        b.showPresence();
        WebhookInboxRepository other = new WebhookInboxRepository(store.dataSource(), deadLetters, "holder-b");
        // holder-a renewed its presence within the last 10 s: alive, its claim stays its own
        assertThat(other.claim(10, t0, t0, t0.minusSeconds(10))).isEmpty();
        // seen from 11 s later holder-a is silent: taken over, and its late outcome is refused
        List<InboxRow> taken = other.claim(10, t0.plusSeconds(11), t0, t0.plusSeconds(1));
        assertThat(taken).extracting(InboxRow::id).containsExactly(mine.id());
        assertThat(inbox.finish(mine.id(), List.of(DeadLetter.of("webhook", "{}", "late", null, null)), null, t0))
                .isFalse();
        assertThat(deadLetters.count()).isZero();
        assertThat(other.finish(mine.id(), List.of(), null, t0)).isTrue();
        assertThat(inbox.countByState()).containsOnlyKeys("done");
    }

    @Test
    void aCleanStopFreesTheClaimsAtOnce() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        WorkTracker c = tracker("holder-c");
        c.showPresence();
        WebhookInboxRepository stopping = new WebhookInboxRepository(store.dataSource(), deadLetters, "holder-c");
        inbox.accept("a", "{}", null, t0.minusSeconds(1), null);
        assertThat(stopping.claim(10, t0, t0, t0.minusSeconds(10))).hasSize(1);
        assertThat(inbox.claim(10, t0, t0, t0.minusSeconds(10))).isEmpty();
        c.release();
        assertThat(inbox.claim(10, t0, t0, t0.minusSeconds(10))).hasSize(1);
    }

    @Test
    void theSameBodyUnderAFreshKeyIsADuplicateOnlyWhileTheFirstIsPending() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertThat(inbox.accept("k1", "{}", "hash-1", t0.minusSeconds(1), null)).isTrue();
        assertThat(inbox.accept("k2", "{}", "hash-1", t0, null)).isFalse();
        assertThat(inbox.seen("k2")).as("the fresh key is remembered: its own retries are duplicates").isTrue();
        assertThat(inbox.accept("k3", "{}", "hash-2", t0, null)).isTrue();
        InboxRow first = inbox.claim(1, t0, t0, t0.minusSeconds(10)).get(0);
        assertThat(inbox.accept("k4", "{}", "hash-1", t0, null)).as("still processing").isFalse();
        inbox.finish(first.id(), List.of(), null, t0);
        assertThat(inbox.accept("k5", "{}", "hash-1", t0, null)).as("the first is done: a later change").isTrue();
    }

    @Test
    void releasedClaimsAreClaimedAgainAfterARestart() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        inbox.accept("a", "{}", null, t0.minusSeconds(1), null);
        assertThat(inbox.claim(10, t0, t0, t0.minusSeconds(60))).hasSize(1);
        assertThat(inbox.releaseClaims()).isEqualTo(1);
        assertThat(inbox.claim(10, t0, t0, t0.minusSeconds(60))).hasSize(1);
    }

    @Test
    void finishingWritesDeadLettersInTheSameCommit() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        inbox.accept("a", "{}", null, t0.minusSeconds(1), null);
        InboxRow row = inbox.claim(10, t0, t0, t0.minusSeconds(60)).get(0);
        inbox.finish(row.id(), List.of(DeadLetter.of("webhook", "{\"event_type\":\"x\"}", "Attio 404", 404, "not_found")),
                "Attio 404", t0);
        assertThat(inbox.countByState()).containsOnly(Collections.singletonMap("done", 1L).entrySet().iterator().next());
        assertThat(deadLetters.page(10, 0)).singleElement().satisfies(d -> {
            assertThat(d.source()).isEqualTo("webhook");
            assertThat(d.attioStatus()).isEqualTo(404);
            assertThat(d.attioCode()).isEqualTo("not_found");
            assertThat(d.createdAt()).isNotNull();
        });

        DeadLetter letter = deadLetters.page(10, 0).get(0);
        inbox.replay(letter.id(), "replay:" + letter.id() + ":1", "{\"events\":[]}", t0, null);
        assertThat(deadLetters.find(letter.id())).get().extracting(DeadLetter::replayCount).isEqualTo(1);
        assertThat(inbox.countByState()).containsEntry("received", 1L);
    }

    @Test
    void purgeForgetsOldKeysAndFinishedRowsOnly() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        inbox.accept("old", "{}", null, t0.minusSeconds(5), null);
        InboxRow row = inbox.claim(10, t0, t0, t0).get(0);
        inbox.finish(row.id(), List.of(), null, t0.minus(Duration.ofDays(8)));
        inbox.accept("waiting", "{}", null, t0, null);

        int[] purged = inbox.purge(t0.plusSeconds(1), t0.minus(Duration.ofDays(7)));
        assertThat(purged).containsExactly(2, 1);
        assertThat(inbox.seen("old")).isFalse();
        assertThat(inbox.countByState()).containsOnlyKeys("received");
        // a forgotten key is accepted again: that is what the >= 72 h retention protects against
        assertThat(inbox.accept("old", "{}", null, t0, null)).isTrue();
    }
}

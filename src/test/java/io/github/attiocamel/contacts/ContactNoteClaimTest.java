package io.github.attiocamel.contacts;

import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.store.WorkRepository;
import io.github.attiocamel.store.WorkTracker;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A note key claimed by a process that died before the note was made: nobody else makes it while the claimer shows
 * life, then exactly one other process takes the claim over, told to look for the note in Attio first.
 */
@BothStores
class ContactNoteClaimTest {

    private static final Duration STALE_AFTER = Duration.ofSeconds(2);

    @Test
    void aClaimInFlightIsTakenOverOnlyOnceItsClaimerShowsNoLife() throws Exception {
        try (TestStores.Store db = TestStores.open("noteclaim", 4)) {
            AttioStore store = db.store();
            WorkTracker a = tracker(store, "host/1/a");
            WorkTracker b = tracker(store, "host/2/b");
            WorkTracker c = tracker(store, "host/3/c");
            ContactNoteRepository byA = new ContactNoteRepository(store.dataSource(), a);
            ContactNoteRepository byB = new ContactNoteRepository(store.dataSource(), b);
            ContactNoteRepository byC = new ContactNoteRepository(store.dataSource(), c);

            assertThat(byA.claim("key-1", "people", "p1")).isEqualTo(new ContactNoteRepository.Claim(true, null, false));
            assertThat(byB.claim("key-1", "people", "p1")).as("A is alive: its note is in flight")
                    .isEqualTo(new ContactNoteRepository.Claim(false, null, false));

            // A stops renewing (killed); B keeps showing life
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                b.heartbeat();
                return byB.claim("key-1", "people", "p1").claimed();
            });
            c.heartbeat();
            assertThat(byC.claim("key-1", "people", "p1")).as("B holds it now and is alive")
                    .isEqualTo(new ContactNoteRepository.Claim(false, null, false));

            byB.complete("key-1", "note-1");
            assertThat(byC.claim("key-1", "people", "p1")).isEqualTo(new ContactNoteRepository.Claim(false, "note-1", false));
        }
    }

    @Test
    void aTakenOverClaimSaysTheNoteMayExist() throws Exception {
        try (TestStores.Store db = TestStores.open("noteclaim", 4)) {
            AttioStore store = db.store();
            WorkTracker a = tracker(store, "host/1/a");
            WorkTracker b = tracker(store, "host/2/b");
            new ContactNoteRepository(store.dataSource(), a).claim("key-2", "people", "p2");
            ContactNoteRepository byB = new ContactNoteRepository(store.dataSource(), b);

            ContactNoteRepository.Claim[] claim = new ContactNoteRepository.Claim[1];
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                b.heartbeat();
                claim[0] = byB.claim("key-2", "people", "p2");
                return claim[0].claimed();
            });
            assertThat(claim[0].mayExist()).isTrue();
        }
    }

    private static WorkTracker tracker(AttioStore store, String holder) {
        return new WorkTracker(new WorkRepository(store.dataSource(), holder), STALE_AFTER, Clock.systemUTC());
    }
}

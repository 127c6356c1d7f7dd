package io.github.attiocamel.contacts;

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

import static org.assertj.core.api.Assertions.assertThat;

/** A note key is claimed once: later claims see the claim in flight, then the note it made; a release frees it. */
@BothStores
class ContactNoteRepositoryTest {

    private TestStores.Store db;
    private ContactNoteRepository notes;

    @BeforeEach
    void openStore() throws SQLException {
        db = TestStores.open("notes", 2);
        notes = new ContactNoteRepository(db.dataSource(), new WorkTracker(
                new WorkRepository(db.dataSource(), "host/1/notes"), Duration.ofSeconds(10), Clock.systemUTC()));
    }

    @AfterEach
    void closeStore() throws SQLException {
        db.close();
    }

    @Test
    void aKeyIsClaimedOnceAndThenAnswersItsNote() {
        assertThat(notes.claim("k1", "people", "p1")).isEqualTo(new ContactNoteRepository.Claim(true, null, false));
        assertThat(notes.claim("k1", "people", "p1")).as("in flight").isEqualTo(new ContactNoteRepository.Claim(false, null, false));
        notes.complete("k1", "note-1");
        assertThat(notes.claim("k1", "people", "p1")).isEqualTo(new ContactNoteRepository.Claim(false, "note-1", false));

        assertThat(notes.claim("k2", "people", "p1").claimed()).isTrue();
        notes.release("k2");
        assertThat(notes.claim("k2", "people", "p1").claimed()).as("released: free again").isTrue();
    }
}

package io.github.attiocamel.mirror;

import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The outbox's bookkeeping: a failed mirror write leaves no message, the relay's order, and the purge. */
@BothStores
class ChangeOutboxTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private TestStores.Store db;
    private ChangeOutbox outbox;
    private MirrorRepository mirror;

    @BeforeEach
    void openStore() throws SQLException {
        db = TestStores.open("outbox", 4);
        outbox = new ChangeOutbox(db.dataSource(), Clock.fixed(T0, ZoneOffset.UTC));
        mirror = new MirrorRepository(db.dataSource(), outbox);
    }

    @AfterEach
    void closeStore() throws SQLException {
        db.close();
    }

    private static MirrorRow person(String id, String valuesJson) {
        return new MirrorRow(MirrorKind.RECORDS, "people", id, "ws", "obj", null, null, valuesJson,
                ValuesHash.of(valuesJson), "https://app.attio.com/x/" + id, "2026-01-01T00:00:00.000000000Z",
                T0, "webhook", false, null);
    }

    private static Map<String, Object> change(String id) {
        return ChangeMessage.of("webhook", "record.updated", "people", id, Map.of("v", 1), T0);
    }

    @Test
    void aMessageCommitsWithItsMirrorWriteOrNotAtAll() throws SQLException {
        mirror.upsert(person("a", "{}"), outcome -> List.of(change("a")));
        // a message that cannot be stored (a key longer than change_key's 255 characters) rolls its mirror write back
        Map<String, Object> tooLong = change("b".repeat(300));
        assertThatThrownBy(() -> mirror.upsert(person("b", "{}"), outcome -> List.of(tooLong)));

        assertThat(mirror.find(MirrorKind.RECORDS, "people", "b")).isEmpty();
        try (Connection c = db.dataSource().getConnection()) {
            assertThat(outbox.pending(c, 10)).extracting(ChangeOutbox.Pending::key).containsExactly("a");
        }
        assertThat(mirror.upsert(person("a", "{}"), outcome -> outcome == MirrorRepository.Outcome.UNCHANGED
                ? List.of() : List.of(change("a")))).isEqualTo(MirrorRepository.Outcome.UNCHANGED);
        assertThat(outbox.backlog().size()).as("an unchanged row writes no message").isEqualTo(1);
    }

    @Test
    void theRelayReadsInCommitOrderAndThePurgeKeepsWhatIsRecentOrUnsent() throws SQLException {
        outbox.append(List.of(change("a"), change("b"), change("c")));
        try (Connection c = db.dataSource().getConnection()) {
            List<ChangeOutbox.Pending> pending = outbox.pending(c, 10);
            assertThat(pending).extracting(ChangeOutbox.Pending::key).containsExactly("a", "b", "c");
            assertThat(pending).extracting(ChangeOutbox.Pending::changeId).doesNotHaveDuplicates();
            assertThat(pending).allSatisfy(p -> assertThat(p.message()).startsWith("{\"change_id\":\"" + p.changeId()
                    + "\",\"source\":\"webhook\""));
            outbox.markPublished(c, pending.subList(0, 2));
            assertThat(outbox.pending(c, 10)).extracting(ChangeOutbox.Pending::key).containsExactly("c");
        }
        assertThat(outbox.backlog().size()).isEqualTo(1);
        assertThat(outbox.backlog().oldest()).contains(T0);

        assertThat(outbox.purge(Duration.ofHours(1))).as("published at T0, now T0: kept").isZero();
        assertThat(outbox.purgeBefore(T0.plusSeconds(1))).as("both published ones").isEqualTo(2);
        assertThat(outbox.backlog().size()).as("never an unsent one").isEqualTo(1);
        assertThat(messageTexts()).as("a purged message's text goes with it (V88)").isEqualTo(1);
    }

    private long messageTexts() throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM change_outbox_message")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

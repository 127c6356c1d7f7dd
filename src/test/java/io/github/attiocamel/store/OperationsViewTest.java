package io.github.attiocamel.store;

import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The operations view over a real store (H2, and PostgreSQL in its half): rows planted as the flows write them, read
 * back as the page shows them: inbox depth and age, the dead letters still waiting (a pending or successful replay
 * takes one off, a failed one puts it back), sync runs and batch jobs with their progress, active ones first.
 */
@BothStores
class OperationsViewTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private TestStores.Store db;
    private OperationsView view;

    @BeforeEach
    void openStore() throws SQLException {
        db = TestStores.open("operations", 4);
        view = new OperationsView(db.dataSource(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void closeStore() throws SQLException {
        db.close();
    }

    @Test
    void anEmptyStoreShowsNothingWaiting() {
        Map<String, Object> v = view.view(20);

        assertThat(v.get("at")).isEqualTo(NOW.toString());
        assertThat(section(v, "inbox")).containsEntry("depth", 0L).containsEntry("oldest_received_at", null)
                .containsEntry("oldest_age_seconds", null);
        assertThat(section(v, "dead_letters")).containsEntry("waiting", 0L).containsEntry("total", 0L);
        assertThat(rows(v, "sync_runs")).isEmpty();
        assertThat(rows(v, "contact_jobs")).isEmpty();
    }

    @Test
    void theInboxDepthCountsWaitingDeliveriesAndItsAgeIsTheOldestOne() throws SQLException {
        inbox("a", "received", NOW.minusSeconds(42), null, null);
        inbox("b", "received", NOW.minusSeconds(5), null, null);
        inbox("c", "processing", NOW.minusSeconds(7), null, null);
        inbox("d", "done", NOW.minusSeconds(600), null, null);

        Map<String, Object> inbox = section(view.view(20), "inbox");

        assertThat(inbox).containsEntry("depth", 3L).containsEntry("received", 2L).containsEntry("processing", 1L)
                .containsEntry("oldest_received_at", NOW.minusSeconds(42).toString())
                .containsEntry("oldest_age_seconds", 42L);
    }

    @Test
    void aDeadLetterWaitsUntilItsReplayIsQueuedOrWentThroughAndAgainWhenTheReplayFailed() throws SQLException {
        long untouched = deadLetter("webhook", "{\"event_type\":\"record.updated\"}", NOW.minusSeconds(400), null);
        long queued = deadLetter("webhook", "{\"event_type\":\"record.created\"}", NOW.minusSeconds(300), NOW);
        inbox("replay:q:1", "received", NOW, null, queued);
        long healed = deadLetter("webhook", "{}", NOW.minusSeconds(200), NOW);
        inbox("replay:h:1", "done", NOW, null, healed);
        long failedAgain = deadLetter("webhook", "{}", NOW.minusSeconds(100), NOW);
        inbox("replay:f:1", "done", NOW, "Attio refused it again", failedAgain);
        long retriedAndHealed = deadLetter("sync", "not json", NOW.minusSeconds(50), NOW);
        inbox("replay:r:1", "done", NOW, "failed once", retriedAndHealed);
        inbox("replay:r:2", "done", NOW, null, retriedAndHealed);

        Map<String, Object> letters = section(view.view(20), "dead_letters");

        assertThat(letters).containsEntry("waiting", 2L).containsEntry("total", 5L);
        List<Map<String, Object>> data = list(letters);
        assertThat(data).extracting(d -> d.get("id")).containsExactly(failedAgain, untouched);
        assertThat(data.get(1)).containsEntry("source", "webhook").containsEntry("event_type", "record.updated")
                .containsEntry("error", "gave up").containsEntry("attio_status", 400)
                .containsEntry("created_at", NOW.minusSeconds(400).toString()).containsEntry("replay_count", 0);
        assertThat(list(section(view.view(1), "dead_letters"))).as("rows shown").hasSize(1);
    }

    @Test
    void syncRunsShowTheirProgressAndResultActiveOnesFirst() throws SQLException {
        work("done-run", "sync-run", WorkStatus.COMPLETED, 1200, 1200, NOW.minusSeconds(3600), null);
        syncRun("done-run", "RECORDS", "people", 3, 4, 10, 1186, 0, 0);
        work("held-run", "sync-run", WorkStatus.COMPLETED, 100, 100, NOW.minusSeconds(1800), null);
        syncRun("held-run", "RECORDS", "companies", 1, 0, 0, 60, 0, 40);
        work("failed-run", "sync-run", WorkStatus.FAILED, 0, 10, NOW.minusSeconds(900), "Attio has no object 'x'");
        syncRun("failed-run", "ENTRIES", "sales", 1, 0, 0, 0, 0, 0);
        work("live-run", "sync-run", WorkStatus.RUNNING, 1200, 500, NOW.minusSeconds(7200), null);
        syncRun("live-run", "RECORDS", "people", 1, 0, 2, 498, 0, 0);
        work("new-run", "sync-run", WorkStatus.RUNNING, 0, 250, NOW.minusSeconds(60), null);
        syncRun("new-run", "RECORDS", "deals", 1, 250, 0, 0, 0, 0);

        List<Map<String, Object>> runs = rows(view.view(20), "sync_runs");

        assertThat(runs).extracting(r -> r.get("run_id"))
                .containsExactly("new-run", "live-run", "failed-run", "held-run", "done-run");
        assertThat(runs.get(0)).as("no expected size yet: progress unknown").containsEntry("percent", null)
                .containsEntry("state", "running").containsEntry("records", 250L);
        assertThat(runs.get(1)).containsEntry("percent", 41).containsEntry("records", 500L)
                .containsEntry("expected_records", 1200L).containsEntry("target_kind", "object");
        assertThat(runs.get(2)).containsEntry("state", "failed").containsEntry("target_kind", "list")
                .containsEntry("target", "sales").containsEntry("error", "Attio has no object 'x'");
        assertThat(runs.get(3)).containsEntry("state", "deletions_held").containsEntry("deletions_held", 40L);
        assertThat(runs.get(4)).containsEntry("state", "completed").containsEntry("percent", 100)
                .containsEntry("pages", 3).containsEntry("created", 4L).containsEntry("updated", 10L)
                .containsEntry("unchanged", 1186L).containsEntry("deleted", 0L)
                .containsEntry("started_at", NOW.minusSeconds(3600).toString());
        assertThat(rows(view.view(2), "sync_runs")).extracting(r -> r.get("run_id"))
                .containsExactly("new-run", "live-run");
    }

    @Test
    void contactJobsSplitTheirRowsIntoDoneAndFailed() throws SQLException {
        work("old-job", "contact-job", WorkStatus.COMPLETED, 40, 40, NOW.minusSeconds(600), null);
        contactJob("old-job", "upload", 1);
        work("busy-job", "contact-job", WorkStatus.RUNNING, 200, 50, NOW.minusSeconds(900), null);
        contactJob("busy-job", "file:contacts.csv", 5);

        List<Map<String, Object>> jobs = rows(view.view(20), "contact_jobs");

        assertThat(jobs).extracting(j -> j.get("job_id")).containsExactly("busy-job", "old-job");
        assertThat(jobs.get(0)).containsEntry("state", WorkStatus.RUNNING).containsEntry("total", 200L)
                .containsEntry("done", 45L).containsEntry("failed", 5L).containsEntry("percent", 25)
                .containsEntry("source", "file:contacts.csv");
        assertThat(jobs.get(1)).containsEntry("done", 39L).containsEntry("failed", 1L).containsEntry("percent", 100);
    }

    @Test
    void aViewOfNoRowsIsRefused() {
        assertThatThrownBy(() -> view.view(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> view, String name) {
        return (Map<String, Object>) view.get(name);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> section) {
        return (List<Map<String, Object>>) section.get("data");
    }

    private static List<Map<String, Object>> rows(Map<String, Object> view, String name) {
        return list(section(view, name));
    }

    private void inbox(String key, String state, Instant receivedAt, String lastError, Long deadLetterId)
            throws SQLException {
        update("INSERT INTO webhook_inbox (idempotency_key, received_at, body, state, attempts, last_error, "
                + "dead_letter_id) VALUES (?, ?, '{}', ?, 1, ?, ?)", key, WorkRepository.ts(receivedAt), state,
                lastError, deadLetterId);
    }

    private long deadLetter(String source, String payload, Instant createdAt, Instant replayedAt) throws SQLException {
        update("INSERT INTO dead_letter (source, payload, error, attio_status, created_at, replayed_at, replay_count) "
                + "VALUES (?, ?, 'gave up', 400, ?, ?, ?)", source, payload, WorkRepository.ts(createdAt),
                WorkRepository.ts(replayedAt), replayedAt == null ? 0 : 1);
        try (Connection c = db.dataSource().getConnection();
             var rs = c.createStatement().executeQuery("SELECT MAX(id) FROM dead_letter")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void work(String id, String kind, String state, long total, long done, Instant createdAt, String error)
            throws SQLException {
        boolean finished = WorkStatus.COMPLETED.equals(state) || WorkStatus.FAILED.equals(state);
        update("INSERT INTO work_item (work_id, kind, state, total, done, created_at, started_at, finished_at, error) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", id, kind, state, total, done, WorkRepository.ts(createdAt),
                WorkRepository.ts(createdAt), finished ? WorkRepository.ts(createdAt.plusSeconds(40)) : null, error);
    }

    private void syncRun(String id, String kind, String target, int pages, long created, long updated,
                         long unchanged, long deleted, long held) throws SQLException {
        update("INSERT INTO sync_run (run_id, target_kind, target, pages, created, updated, unchanged, deleted, held) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", id, kind, target, pages, created, updated, unchanged, deleted,
                held);
    }

    private void contactJob(String id, String source, int failed) throws SQLException {
        update("INSERT INTO contact_job (job_id, source, failed) VALUES (?, ?, ?)", id, source, failed);
    }

    private void update(String sql, Object... args) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] == null) {
                    ps.setNull(i + 1, java.sql.Types.NULL);
                } else {
                    ps.setObject(i + 1, args[i]);
                }
            }
            ps.executeUpdate();
        }
    }
}

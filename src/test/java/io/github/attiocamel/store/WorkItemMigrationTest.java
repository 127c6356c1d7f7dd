package io.github.attiocamel.store;

import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** V40-V42 on a store that already holds jobs and runs (V1..V33): they move into work_item as they were. */
@BothStores
class WorkItemMigrationTest {

    @Test
    void existingJobsAndRunsMoveIntoTheTrackerAndUnfinishedOnesAreAdoptable() throws SQLException {
        try (TestStores.Database db = TestStores.freshDatabase("work_migration")) {
            upgrade(db);
        }
    }

    private static void upgrade(TestStores.Database db) throws SQLException {
        String url = db.jdbcUrl();
        Flyway.configure().dataSource(url, db.user(), "").locations("classpath:db/migration").target("33").load()
                .migrate();
        try (Connection c = java.sql.DriverManager.getConnection(url, db.user(), ""); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO contact_job (job_id, source, state, total, done, failed, created_at, started_at,"
                    + " finished_at, error) VALUES ('job-done', 'api', 'COMPLETED', 10, 8, 2, TIMESTAMP WITH TIME ZONE "
                    + "'2026-11-01 10:00:00+00', TIMESTAMP WITH TIME ZONE '2026-11-01 10:00:01+00', TIMESTAMP WITH TIME "
                    + "ZONE '2026-11-01 10:00:11+00', NULL)");
            s.executeUpdate("INSERT INTO contact_job (job_id, source, state, total, done, failed, created_at, started_at)"
                    + " VALUES ('job-running', 'file:a.csv', 'RUNNING', 50, 5, 0, TIMESTAMP WITH TIME ZONE "
                    + "'2026-11-02 10:00:00+00', TIMESTAMP WITH TIME ZONE '2026-11-02 10:00:01+00')");
            s.executeUpdate("INSERT INTO sync_run (run_id, target_kind, target, state, started_at, heartbeat_at, pages,"
                    + " records, created, updated, unchanged, page_size, expected_records, trigger_source, active_key, "
                    + "resumes) VALUES ('run-active', 'RECORDS', 'people', 'running', TIMESTAMP WITH TIME ZONE "
                    + "'2026-11-03 02:00:00+00', TIMESTAMP WITH TIME ZONE '2026-11-03 02:05:00+00', 2, 1000, 900, 50, 50,"
                    + " 500, 2345, 'schedule', 'records:people', 1)");
        }

        try (AttioStore store = new AttioStore(url, db.user(), "", 2)) {
            WorkRepository work = new WorkRepository(store.dataSource(), "after-upgrade");

            assertThat(work.find("job-done")).get().satisfies(w -> {
                assertThat(w.kind()).isEqualTo("contact-job");
                assertThat(w.state()).isEqualTo(WorkStatus.COMPLETED);
                assertThat(w.total()).isEqualTo(10);
                assertThat(w.done()).as("rows worked through, failed ones included").isEqualTo(10);
                assertThat(w.rate(Instant.now())).isEqualTo(1.0);
            });
            assertThat(work.find("run-active")).get().satisfies(w -> {
                assertThat(w.kind()).isEqualTo("sync-run");
                assertThat(w.state()).isEqualTo(WorkStatus.RUNNING);
                assertThat(w.done()).isEqualTo(1000);
                assertThat(w.total()).isEqualTo(2345);
                assertThat(w.resumes()).isEqualTo(1);
                assertThat(w.createdAt()).isEqualTo(Instant.parse("2026-11-03T02:00:00Z"));
            });
            assertThat(work.stale(java.util.List.of("contact-job", "sync-run"), Instant.now()))
                    .as("left by processes that stopped: no holder, adopted by the first to look")
                    .extracting(WorkStatus::workId).containsExactly("job-running", "run-active");
            try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT j.failed, s.pages, s.active_key FROM contact_job j, sync_run s "
                         + "WHERE j.job_id = 'job-done' AND s.run_id = 'run-active'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
                assertThat(rs.getInt(2)).isEqualTo(2);
                assertThat(rs.getString(3)).isEqualTo("records:people");
            }
        }
    }
}

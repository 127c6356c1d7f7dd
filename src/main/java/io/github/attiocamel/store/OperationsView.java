package io.github.attiocamel.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Bean {@code operationsView}: what the operations page shows of the store, read in one go for
 * {@code GET /api/operations}: the webhook inbox's depth and the age of its oldest waiting delivery, the dead letters
 * still waiting for an operator, the latest sync runs and contact batch jobs with their progress. It reads the flows'
 * tables ({@code webhook_inbox}, {@code dead_letter}, {@code sync_run}, {@code contact_job} over {@code work_item})
 * directly, read-only, so the ground floor needs none of the flows' classes.
 */
final class OperationsView {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACTIVE_FIRST = "CASE WHEN w.state IN ('" + WorkStatus.QUEUED + "', '"
            + WorkStatus.RUNNING + "') THEN 0 ELSE 1 END, w.created_at DESC, w.work_id";

    /**
     * A dead letter waits for an operator until it is replayed, and again once its latest replay failed (the inbox
     * row of that replay finished with an error): a replay still queued or one that went through takes it off.
     */
    static final String WAITING_LETTER = "(d.replayed_at IS NULL OR EXISTS (SELECT 1 FROM webhook_inbox i WHERE "
            + "i.dead_letter_id = d.id AND i.state = 'done' AND i.last_error IS NOT NULL AND i.id = (SELECT MAX(r.id) "
            + "FROM webhook_inbox r WHERE r.dead_letter_id = d.id)))";

    private final DataSource dataSource;
    private final Clock clock;

    OperationsView(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** The whole view; each list holds at most {@code rows} rows (the newest, active work first). */
    public Map<String, Object> view(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("the operations view shows at least one row per list, not " + rows);
        }
        Instant now = clock.instant();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("at", now.toString());
        try (Connection c = dataSource.getConnection()) {
            view.put("inbox", inbox(c, now));
            view.put("dead_letters", deadLetters(c, rows));
            view.put("sync_runs", Map.of("data", syncRuns(c, rows)));
            view.put("contact_jobs", Map.of("data", contactJobs(c, rows)));
        } catch (SQLException e) {
            throw new StoreException("cannot read the operations view", e);
        }
        return view;
    }

    private static Map<String, Object> inbox(Connection c, Instant now) throws SQLException {
        long received = 0;
        long processing = 0;
        Instant oldest = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT state, COUNT(*), MIN(received_at) FROM webhook_inbox "
                + "WHERE state IN ('received', 'processing') GROUP BY state");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long n = rs.getLong(2);
                if ("received".equals(rs.getString(1))) {
                    received = n;
                } else {
                    processing = n;
                }
                Instant first = instant(rs.getTimestamp(3));
                if (first != null && (oldest == null || first.isBefore(oldest))) {
                    oldest = first;
                }
            }
        }
        Map<String, Object> inbox = new LinkedHashMap<>();
        inbox.put("depth", received + processing);
        inbox.put("received", received);
        inbox.put("processing", processing);
        inbox.put("oldest_received_at", oldest == null ? null : oldest.toString());
        inbox.put("oldest_age_seconds", oldest == null ? null : Math.max(0, Duration.between(oldest, now).toSeconds()));
        return inbox;
    }

    private static Map<String, Object> deadLetters(Connection c, int rows) throws SQLException {
        List<Map<String, Object>> data = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT d.id, d.source, d.error, d.attio_status, d.created_at, "
                + "d.replayed_at, d.replay_count, d.payload FROM dead_letter d WHERE " + WAITING_LETTER
                + " ORDER BY d.created_at DESC, d.id DESC FETCH FIRST " + rows + " ROWS ONLY");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> letter = new LinkedHashMap<>();
                letter.put("id", rs.getLong("id"));
                letter.put("source", rs.getString("source"));
                letter.put("event_type", eventType(rs.getString("payload")));
                letter.put("error", rs.getString("error"));
                letter.put("attio_status", rs.getObject("attio_status"));
                letter.put("created_at", text(rs.getTimestamp("created_at")));
                letter.put("replayed_at", text(rs.getTimestamp("replayed_at")));
                letter.put("replay_count", rs.getInt("replay_count"));
                data.add(letter);
            }
        }
        Map<String, Object> letters = new LinkedHashMap<>();
        letters.put("waiting", count(c, "SELECT COUNT(*) FROM dead_letter d WHERE " + WAITING_LETTER));
        letters.put("total", count(c, "SELECT COUNT(*) FROM dead_letter"));
        letters.put("data", data);
        return letters;
    }

    private static List<Map<String, Object>> syncRuns(Connection c, int rows) throws SQLException {
        List<Map<String, Object>> runs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT w.work_id, w.state, w.total, w.done, w.created_at, "
                + "w.finished_at, w.error, s.target_kind, s.target, s.pages, s.created, s.updated, s.unchanged, "
                + "s.deleted, s.held FROM sync_run s JOIN work_item w ON w.work_id = s.run_id ORDER BY " + ACTIVE_FIRST
                + " FETCH FIRST " + rows + " ROWS ONLY");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> run = new LinkedHashMap<>();
                String state = rs.getString("state");
                long held = rs.getLong("held");
                run.put("run_id", rs.getString("work_id"));
                run.put("target_kind", "ENTRIES".equals(rs.getString("target_kind")) ? "list" : "object");
                run.put("target", rs.getString("target"));
                // as GET /api/sync/runs/{id} says it: a queued run is already running to its caller
                run.put("state", switch (state) {
                    case WorkStatus.COMPLETED -> held > 0 ? "deletions_held" : "completed";
                    case WorkStatus.FAILED -> "failed";
                    default -> "running";
                });
                run.put("pages", rs.getInt("pages"));
                run.put("records", rs.getLong("done"));
                run.put("expected_records", rs.getLong("total"));
                run.put("percent", percent(state, rs.getLong("done"), rs.getLong("total")));
                run.put("created", rs.getLong("created"));
                run.put("updated", rs.getLong("updated"));
                run.put("unchanged", rs.getLong("unchanged"));
                run.put("deleted", rs.getLong("deleted"));
                run.put("deletions_held", held);
                run.put("started_at", text(rs.getTimestamp("created_at")));
                run.put("finished_at", text(rs.getTimestamp("finished_at")));
                run.put("error", rs.getString("error"));
                runs.add(run);
            }
        }
        return runs;
    }

    private static List<Map<String, Object>> contactJobs(Connection c, int rows) throws SQLException {
        List<Map<String, Object>> jobs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT w.work_id, w.state, w.total, w.done, w.created_at, "
                + "w.finished_at, w.error, j.source, j.failed FROM contact_job j JOIN work_item w ON "
                + "w.work_id = j.job_id ORDER BY " + ACTIVE_FIRST + " FETCH FIRST " + rows + " ROWS ONLY");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> job = new LinkedHashMap<>();
                long failed = rs.getLong("failed");
                // work_item counts the rows worked through, failed ones included, as GET /api/jobs/{id} splits them
                long processed = rs.getLong("done");
                job.put("job_id", rs.getString("work_id"));
                job.put("source", rs.getString("source"));
                job.put("state", rs.getString("state"));
                job.put("total", rs.getLong("total"));
                job.put("done", processed - failed);
                job.put("failed", failed);
                job.put("percent", percent(rs.getString("state"), processed, rs.getLong("total")));
                job.put("created_at", text(rs.getTimestamp("created_at")));
                job.put("finished_at", text(rs.getTimestamp("finished_at")));
                job.put("error", rs.getString("error"));
                jobs.add(job);
            }
        }
        return jobs;
    }

    /** 100 once finished; while active the share done of a known total (never 100 before the end), else null. */
    static Integer percent(String state, long done, long total) {
        if (WorkStatus.COMPLETED.equals(state)) {
            return 100;
        }
        if (total <= 0) {
            return null;
        }
        return (int) Math.min(99, Math.max(0, done * 100 / total));
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The event type of a webhook dead letter's payload; null for another flow's payload or text that is not JSON. */
    private static String eventType(String payload) {
        try {
            JsonNode type = JSON.readTree(payload).path("event_type");
            return type.isTextual() ? type.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String text(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }
}

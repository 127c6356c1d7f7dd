package io.github.attiocamel.contacts;

import io.github.attiocamel.store.StoreException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Batch import jobs and their failed rows (tables {@code contact_job}, {@code contact_job_failure}). */
final class ContactJobRepository {

    private static final String COLUMNS =
            "job_id, source, state, total, done, failed, created_at, started_at, finished_at, error";

    private final DataSource dataSource;

    public ContactJobRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void create(String jobId, String source, int total) {
        update("INSERT INTO contact_job (job_id, source, state, total, created_at) VALUES (?, ?, ?, ?, ?)",
                "cannot create job " + jobId, jobId, source, ContactJob.QUEUED, total, Timestamp.from(Instant.now()));
    }

    public void start(String jobId) {
        update("UPDATE contact_job SET state = ?, started_at = ? WHERE job_id = ?", "cannot start job " + jobId,
                ContactJob.RUNNING, Timestamp.from(Instant.now()), jobId);
    }

    public void rowDone(String jobId) {
        update("UPDATE contact_job SET done = done + 1 WHERE job_id = ?", "cannot count job " + jobId, jobId);
    }

    /** Records the failed row and counts it, in one transaction so the counters always match the failure list. */
    public void rowFailed(String jobId, ContactJobFailure failure) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO contact_job_failure (job_id, row_no, "
                    + "email, http_status, error_code, message, fields_json) VALUES (?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement count = c.prepareStatement(
                         "UPDATE contact_job SET failed = failed + 1 WHERE job_id = ?")) {
                insert.setString(1, jobId);
                insert.setInt(2, failure.rowNo());
                insert.setString(3, truncate(failure.email(), 320));
                insert.setInt(4, failure.httpStatus());
                insert.setString(5, truncate(failure.errorCode(), 64));
                insert.setString(6, truncate(failure.message(), 4000));
                insert.setString(7, truncate(failure.fieldsJson(), 4000));
                insert.executeUpdate();
                count.setString(1, jobId);
                count.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot record failed row " + failure.rowNo() + " of job " + jobId, e);
        }
    }

    public void finish(String jobId, String state, String error) {
        update("UPDATE contact_job SET state = ?, finished_at = ?, error = ? WHERE job_id = ?",
                "cannot finish job " + jobId, state, Timestamp.from(Instant.now()), truncate(error, 4000), jobId);
    }

    /** Starts a job over (after a restart): its failures and counters are cleared, its rows will all run again. */
    public void reset(String jobId) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement failures = c.prepareStatement("DELETE FROM contact_job_failure WHERE job_id = ?");
                 PreparedStatement job = c.prepareStatement("UPDATE contact_job SET state = ?, done = 0, failed = 0, "
                         + "started_at = NULL, finished_at = NULL, error = NULL WHERE job_id = ?")) {
                failures.setString(1, jobId);
                failures.executeUpdate();
                job.setString(1, ContactJob.QUEUED);
                job.setString(2, jobId);
                job.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot reset job " + jobId, e);
        }
    }

    public Optional<ContactJob> find(String jobId) {
        List<ContactJob> jobs = query("SELECT " + COLUMNS + " FROM contact_job WHERE job_id = ?", jobId);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
    }

    /** Jobs not finished yet (QUEUED or RUNNING), oldest first. */
    public List<ContactJob> unfinished() {
        return query("SELECT " + COLUMNS + " FROM contact_job WHERE state IN (?, ?) ORDER BY created_at",
                ContactJob.QUEUED, ContactJob.RUNNING);
    }

    /** Failed rows in input order, at most {@code limit}. */
    public List<ContactJobFailure> failures(String jobId, int limit) {
        String sql = "SELECT row_no, email, http_status, error_code, message, fields_json FROM contact_job_failure "
                + "WHERE job_id = ? ORDER BY row_no LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, jobId);
            ps.setInt(2, limit);
            List<ContactJobFailure> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new ContactJobFailure(rs.getInt(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                            rs.getString(5), rs.getString(6)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new StoreException("cannot read failures of job " + jobId, e);
        }
    }

    private List<ContactJob> query(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            List<ContactJob> jobs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    jobs.add(new ContactJob(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getInt(5), rs.getInt(6), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)),
                            instant(rs.getTimestamp(9)), rs.getString(10)));
                }
            }
            return jobs;
        } catch (SQLException e) {
            throw new StoreException("cannot read jobs", e);
        }
    }

    private void update(String sql, String failure, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(failure, e);
        }
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}

package io.github.attiocamel.contacts;

import io.github.attiocamel.store.StoreException;
import io.github.attiocamel.store.WorkRepository;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Batch import jobs: the tracked part in {@code work_item} (kind {@value #KIND}), their own part in {@code contact_job}
 * and their failed rows in {@code contact_job_failure}, written together in one transaction so the counters always
 * match the failure list. Writes count only while this process holds the job.
 */
final class ContactJobRepository {

    static final String KIND = "contact-job";

    private static final String SELECT = "SELECT " + WorkRepository.COLUMNS + ", j.source, j.failed "
            + "FROM contact_job j JOIN work_item w ON w.work_id = j.job_id ";

    private final WorkRepository work;

    /** Jobs as this process (the holder of {@code work}) sees and writes them. */
    ContactJobRepository(WorkRepository work) {
        this.work = work;
    }

    /** A repository under a holder name of its own, as another process would have (tools and tests). */
    ContactJobRepository(DataSource dataSource) {
        this(new WorkRepository(dataSource, WorkRepository.newHolder()));
    }

    /**
     * A new job, QUEUED and held by this process; with {@code upload} (a shared store) its spooled batch is kept in
     * the store too, in the same transaction, for whichever process continues the job.
     */
    public void create(String jobId, String source, int total, Path upload) {
        work.inTransaction("create job " + jobId, c -> {
            work.create(c, jobId, KIND, total, Instant.now());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO contact_job (job_id, source) VALUES (?, ?)")) {
                ps.setString(1, jobId);
                ps.setString(2, source);
                ps.executeUpdate();
            }
            if (upload != null) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO contact_job_upload (job_id, body) "
                        + "VALUES (?, ?)"); InputStream in = Files.newInputStream(upload)) {
                    ps.setString(1, jobId);
                    ps.setBinaryStream(2, in, Files.size(upload));
                    ps.executeUpdate();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the spooled batch of job " + jobId, e);
                }
            }
            return null;
        });
    }

    /** Writes the job's upload kept in the store to {@code spool}; false when the store keeps none. */
    public boolean restoreUpload(String jobId, Path spool) {
        try (Connection c = work.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT body FROM contact_job_upload WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                Files.createDirectories(spool.getParent());
                try (InputStream in = rs.getBinaryStream(1)) {
                    Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
                }
                return true;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the upload of job " + jobId, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool the upload of job " + jobId, e);
        }
    }

    /** The job ended: its upload is of no further use. */
    public void dropUpload(String jobId) {
        work.inTransaction("drop the upload of job " + jobId, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM contact_job_upload WHERE job_id = ?")) {
                ps.setString(1, jobId);
                return ps.executeUpdate();
            }
        });
    }

    public boolean start(String jobId) {
        return work.start(jobId, Instant.now());
    }

    /** Counts the row done and marks it finished; nothing is written when this process no longer holds the job. */
    public boolean rowDone(String jobId, int rowNo) {
        return work.inTransaction("count row " + rowNo + " of job " + jobId,
                c -> finishRow(c, jobId, rowNo));
    }

    /** The rows of the job already finished (done or failed), skipped when the job continues. */
    public Set<Integer> finishedRows(String jobId) {
        try (Connection c = work.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT row_no FROM contact_job_row WHERE job_id = ?")) {
            ps.setString(1, jobId);
            Set<Integer> rows = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getInt(1));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new StoreException("cannot read the finished rows of job " + jobId, e);
        }
    }

    /**
     * Counts a row and marks it finished, only while this process holds the job (the guarded count locks the job's
     * row until the commit, so an adoption waits for it); false, and nothing written, when it does not hold the job
     * or the row was already marked, so a row is never counted twice.
     */
    private boolean finishRow(Connection c, String jobId, int rowNo) throws SQLException {
        try (PreparedStatement seen = c.prepareStatement("SELECT 1 FROM contact_job_row WHERE job_id = ? AND "
                + "row_no = ?")) {
            seen.setString(1, jobId);
            seen.setInt(2, rowNo);
            try (ResultSet rs = seen.executeQuery()) {
                if (rs.next()) {
                    return false;
                }
            }
        }
        if (!work.addDone(c, jobId, 1)) {
            return false;
        }
        try (PreparedStatement mark = c.prepareStatement("INSERT INTO contact_job_row (job_id, row_no) VALUES (?, ?)")) {
            mark.setString(1, jobId);
            mark.setInt(2, rowNo);
            return mark.executeUpdate() == 1;
        }
    }

    /** Records the failed row and counts it; nothing is recorded when this process no longer holds the job. */
    public boolean rowFailed(String jobId, ContactJobFailure failure) {
        return work.inTransaction("record failed row " + failure.rowNo() + " of job " + jobId, c -> {
            if (!finishRow(c, jobId, failure.rowNo())) {
                return false;
            }
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
            }
            return true;
        });
    }

    /** COMPLETED or FAILED; false when this process no longer holds the job. */
    public boolean finish(String jobId, String state, String error) {
        return work.finish(jobId, state, error, Instant.now());
    }

    /** Starts a job over: its failures, counters and finished marks are cleared, its rows will all run again. */
    public boolean reset(String jobId) {
        return work.inTransaction("reset job " + jobId, c -> {
            if (!work.restart(c, jobId)) {
                return false;
            }
            try (PreparedStatement failures = c.prepareStatement("DELETE FROM contact_job_failure WHERE job_id = ?");
                 PreparedStatement marks = c.prepareStatement("DELETE FROM contact_job_row WHERE job_id = ?");
                 PreparedStatement job = c.prepareStatement("UPDATE contact_job SET failed = 0 WHERE job_id = ?")) {
                failures.setString(1, jobId);
                failures.executeUpdate();
                marks.setString(1, jobId);
                marks.executeUpdate();
                job.setString(1, jobId);
                job.executeUpdate();
            }
            return true;
        });
    }

    public Optional<ContactJob> find(String jobId) {
        try (Connection c = work.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(SELECT + "WHERE j.job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ContactJob(WorkRepository.read(rs), rs.getString("source"),
                        rs.getInt("failed"))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read job " + jobId, e);
        }
    }

    /** Failed rows in input order, at most {@code limit}. */
    public List<ContactJobFailure> failures(String jobId, int limit) {
        String sql = "SELECT row_no, email, http_status, error_code, message, fields_json FROM contact_job_failure "
                + "WHERE job_id = ? ORDER BY row_no LIMIT ?";
        try (Connection c = work.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
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

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}

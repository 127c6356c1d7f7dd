package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.api.PayloadTooLargeException;
import io.github.attiocamel.api.ValidationException;
import io.github.attiocamel.gateway.AttioException;
import io.github.attiocamel.store.WorkStatus;
import io.github.attiocamel.store.WorkTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Batch imports as jobs: accepts a batch (the API's upload is spooled to disk first, so the 202 does not wait for
 * Attio and the rows are not held in memory), counts its rows, hands the rows out one at a time, keeps the counters
 * and per-row failures in the store, and reports progress (GET /api/jobs/{id}, and the work tracker's progress line,
 * worded here). Jobs are work of the {@link WorkTracker}: held by this process from their creation, released when it
 * stops, adopted by another (or the next start) when it dies; {@link #rerun} is how an adopted job continues.
 */
public final class ContactJobs {

    private static final Logger LOG = LoggerFactory.getLogger("attio.contacts");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ContactJobRepository jobs;
    private final WorkTracker tracker;
    private final Path spoolDir;
    /** The upload streams to disk (useStreaming), past the server's body limit: this is its limit. */
    private final long maxUploadBytes;
    private final Clock clock;
    private final int failuresShown;
    private final BooleanSupplier stopping;
    /** The store is shared by several processes (PostgreSQL): an upload is kept there for whichever continues it. */
    private final boolean sharedStore;
    /** The rows of each job this process is reading, to tell a job read to its end from one cut short. */
    private final Map<String, JobRows> reading = new ConcurrentHashMap<>();

    public ContactJobs(ContactJobRepository jobs, WorkTracker tracker, Path spoolDir, Clock clock, int failuresShown,
                       long maxUploadBytes, BooleanSupplier stopping, boolean sharedStore) {
        this.maxUploadBytes = maxUploadBytes;
        this.jobs = jobs;
        this.tracker = tracker;
        this.spoolDir = spoolDir;
        this.clock = clock;
        this.failuresShown = failuresShown;
        this.stopping = stopping;
        this.sharedStore = sharedStore;
    }

    /** The kind of work the tracker keeps for batch jobs: progress lines by {@link #progressLine}. */
    WorkTracker.Kind kind() {
        return new WorkTracker.Kind(ContactJobRepository.KIND, LOG.getName(), this::progressLine);
    }

    /** POST /api/contacts:batch: spools the body, counts rows (a malformed batch is a 400), queues a job. */
    public Map<String, Object> acceptUpload(InputStream body, String contentType) {
        if (body == null) {
            throw new ValidationException(Map.of("body", "empty: send a JSON array or NDJSON with Content-Type "
                    + "application/json or application/x-ndjson (a form-encoded body is not read)"));
        }
        String jobId = UUID.randomUUID().toString();
        Path spool = spoolDir.resolve(jobId + ".batch");
        try {
            Files.createDirectories(spoolDir);
            spoolAtMost(body, spool, maxUploadBytes);
        } catch (IOException e) {
            deleteQuietly(spool);
            throw new UncheckedIOException("cannot spool batch " + jobId, e);
        } catch (PayloadTooLargeException e) {
            deleteQuietly(spool);
            throw e;
        }
        try {
            int total = ContactRows.count(spool, ContactRows.Format.JSON);
            if (total == 0) {
                throw new ValidationException(Map.of("body", "no contacts: send a JSON array or NDJSON"));
            }
            jobs.create(jobId, "api", total, sharedStore ? spool : null);
            tracker.hold(jobId, ContactJobRepository.KIND);
        } catch (RuntimeException e) {
            deleteQuietly(spool);
            if (e instanceof ContactRows.BatchFormatException) {
                throw new ValidationException(Map.of("body", e.getMessage()));
            }
            throw e;
        }
        return accepted(jobId);
    }

    /** A file from the drop directory: counted (a malformed file throws and is moved aside), queued as a job. */
    public String acceptFile(String file, String name) {
        int total = ContactRows.count(Path.of(file), ContactRows.formatOf(name));
        String jobId = UUID.randomUUID().toString();
        jobs.create(jobId, "file:" + name, total, null);
        tracker.hold(jobId, ContactJobRepository.KIND);
        LOG.info("[attio-contacts] job {} accepted file {} with {} rows", jobId, name, total);
        return jobId;
    }

    /** Where an API batch waits for its job (deleted when the job ends). */
    public String spoolFile(String jobId) {
        return spoolDir.resolve(jobId + ".batch").toString();
    }

    /**
     * Marks the job running and returns its rows not finished yet, to be split with streaming (a continued job skips
     * the rows an earlier holder finished). The rows stop early when the job is no
     * longer this process's, and an API batch's also when the bundle stops: its upload stays spooled and the job runs
     * again after the restart. A file import reads on to its end as it always did (its file must move afterwards).
     */
    public Iterator<ContactRows.Row> start(String jobId, String file, String name) {
        if (!jobs.start(jobId)) {
            throw new IllegalStateException("job " + jobId + " is not this process's to run");
        }
        LOG.info("[attio-contacts] job {} started", jobId);
        boolean rerunnable = jobs.find(jobId).map(job -> "api".equals(job.source())).orElse(false);
        JobRows rows = new JobRows(ContactRows.open(Path.of(file), ContactRows.formatOf(name)), jobs.finishedRows(jobId),
                () -> tracker.holds(jobId) && !(rerunnable && stopping.getAsBoolean()));
        reading.put(jobId, rows);
        return rows;
    }

    /** The contact of a row, or a 400 for a row that could not be read (recorded like any other failure). */
    public JsonNode contact(ContactRows.Row row) {
        if (row.error() != null) {
            throw new ValidationException(Map.of("row", row.error()));
        }
        return row.contact();
    }

    /** Counts the row upserted (nothing is counted for a job this process no longer holds). */
    public void rowDone(String jobId, ContactRows.Row row) {
        jobs.rowDone(jobId, row.rowNo());
    }

    public void rowFailed(String jobId, ContactRows.Row row, Throwable failure) {
        String email = row.contact() != null && row.contact().path("email").isTextual()
                ? row.contact().get("email").asText() : null;
        ContactJobFailure f;
        if (failure instanceof ValidationException v) {
            f = new ContactJobFailure(row.rowNo(), email, 400, "validation", v.getMessage(), toJson(v.fields()));
        } else if (failure instanceof AttioException a) {
            int status = a.status() >= 500 || "attio_unavailable".equals(a.code()) ? 503 : 422;
            f = new ContactJobFailure(row.rowNo(), email, status, String.valueOf(a.code()), a.getMessage(), null);
        } else {
            f = new ContactJobFailure(row.rowNo(), email, 500, "internal", String.valueOf(failure), null);
            LOG.error("[attio-contacts] job {} row {} failed unexpectedly", jobId, row.rowNo(), failure);
        }
        jobs.rowFailed(jobId, f);
    }

    /** The rows were read: the job is COMPLETED, unless its rows were cut short (then it is left for a rerun). */
    public void finish(String jobId) {
        JobRows rows = reading.remove(jobId);
        if (rows != null && rows.cutShort()) {
            if (tracker.holds(jobId)) {
                LOG.warn("[attio-contacts] job {} interrupted by shutdown: runs again from its upload on the next "
                        + "start", jobId);
            } else {
                LOG.warn("[attio-contacts] job {} is held by another process now: this one stops", jobId);
            }
            return;
        }
        if (!jobs.finish(jobId, WorkStatus.COMPLETED, null)) {
            LOG.warn("[attio-contacts] job {} is held by another process now: not completed here", jobId);
            tracker.forget(jobId);
            return;
        }
        tracker.forget(jobId);
        ended(jobId);
        jobs.find(jobId).ifPresent(j -> LOG.info("[attio-contacts] job {} completed: {} done, {} failed of {} in {}s"
                + " ({}/s)", jobId, j.done(), j.failed(), j.total(), seconds(j), String.format("%.1f", j.rate(clock.instant()))));
    }

    /** The batch could not be read to the end: rows already upserted stay upserted, the rest are reported lost. */
    public void abort(String jobId, Throwable failure) {
        reading.remove(jobId);
        if (!jobs.finish(jobId, WorkStatus.FAILED, String.valueOf(failure.getMessage()))) {
            LOG.warn("[attio-contacts] job {} stopped ({}); it is not this process's any more", jobId,
                    failure.getMessage());
            tracker.forget(jobId);
            return;
        }
        tracker.forget(jobId);
        ended(jobId);
        LOG.warn("[attio-contacts] job {} failed: {}", jobId, failure.getMessage());
    }

    /**
     * A job the work tracker adopted from a process that stopped or died. An API batch whose upload survived (spooled
     * here, or kept in a shared store) continues with the rows not finished: true, and the route runs it; a row the
     * dead holder had in flight runs again (its writes are idempotent, its note once-only). A job counted without
     * finished marks (begun before they existed) runs again from its first row. A file import is closed as FAILED,
     * because its file was not moved and is imported again as a new job.
     */
    public boolean rerun(String jobId) {
        Optional<ContactJob> found = jobs.find(jobId);
        if (found.isEmpty()) {
            tracker.forget(jobId);
            return false;
        }
        ContactJob job = found.get();
        Path spool = Path.of(spoolFile(jobId));
        if ("api".equals(job.source()) && (Files.exists(spool) || sharedStore && jobs.restoreUpload(jobId, spool))) {
            int finished = jobs.finishedRows(jobId).size();
            if (finished != job.processed() && !jobs.reset(jobId)) {
                tracker.forget(jobId);
                return false;
            }
            LOG.info("[attio-contacts] job {} interrupted by a stop or crash: continuing after {} finished rows",
                    jobId, finished == job.processed() ? finished : 0);
            return true;
        }
        jobs.finish(jobId, WorkStatus.FAILED, "interrupted by a restart"
                + (job.source().startsWith("file:") ? "; the file is imported again as a new job" : ""));
        tracker.forget(jobId);
        LOG.warn("[attio-contacts] job {} interrupted by a restart and closed", jobId);
        return false;
    }

    /** For the file drop: a file with failed rows is moved to the failed directory (its rows are in the job). */
    public void requireNoFailures(String jobId) {
        ContactJob job = jobs.find(jobId).orElseThrow();
        if (job.failed() > 0 || !WorkStatus.COMPLETED.equals(job.state())) {
            throw new ImportIncompleteException("job " + jobId + ": " + job.failed() + " of " + job.total()
                    + " rows failed; see GET /api/jobs/" + jobId);
        }
    }

    /** Raised to move a dropped file aside when some of its rows were not upserted. */
    public static final class ImportIncompleteException extends RuntimeException {
        public ImportIncompleteException(String message) {
            super(message);
        }
    }

    /** GET /api/jobs/{id}; empty when unknown. */
    public Optional<Map<String, Object>> status(String jobId) {
        return jobs.find(jobId).map(job -> {
            Map<String, Object> s = view(job);
            List<Map<String, Object>> failures = new ArrayList<>();
            for (ContactJobFailure f : jobs.failures(jobId, failuresShown)) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("row", f.rowNo());
                row.put("email", f.email());
                row.put("status", f.httpStatus());
                row.put("code", f.errorCode());
                row.put("message", f.message());
                if (f.fieldsJson() != null) {
                    row.put("fields", fromJson(f.fieldsJson()));
                }
                failures.add(row);
            }
            s.put("failures", failures);
            s.put("failures_shown", failures.size());
            return s;
        });
    }

    /** The job's progress line (the tracker logs one per held job): rows done, failed, rate, ETA. */
    String progressLine(WorkStatus work) {
        return jobs.find(work.workId()).map(job -> {
            Long eta = job.etaSeconds(clock.instant());
            return String.format("[attio-contacts] job %s %s: %d/%d done, %d failed, %.1f/s, ETA %s", job.jobId(),
                    job.state(), job.done(), job.total(), job.failed(), job.rate(clock.instant()),
                    eta == null ? "unknown" : eta + "s");
        }).orElse(null);
    }

    private Map<String, Object> accepted(String jobId) {
        Map<String, Object> body = view(jobs.find(jobId).orElseThrow());
        body.put("href", "/api/jobs/" + jobId);
        return body;
    }

    private Map<String, Object> view(ContactJob job) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("job_id", job.jobId());
        s.put("source", job.source());
        s.put("state", job.state());
        s.put("total", job.total());
        s.put("done", job.done());
        s.put("failed", job.failed());
        s.put("rate", Math.round(job.rate(clock.instant()) * 10) / 10.0);
        s.put("eta_seconds", job.etaSeconds(clock.instant()));
        s.put("created_at", String.valueOf(job.createdAt()));
        s.put("started_at", job.startedAt() == null ? null : job.startedAt().toString());
        s.put("finished_at", job.finishedAt() == null ? null : job.finishedAt().toString());
        if (job.error() != null) {
            s.put("error", job.error());
        }
        return s;
    }

    private static long seconds(ContactJob j) {
        return j.startedAt() == null || j.finishedAt() == null ? 0
                : java.time.Duration.between(j.startedAt(), j.finishedAt()).toSeconds();
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            return null;
        }
    }

    private static Object fromJson(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (IOException e) {
            return json;
        }
    }

    /** The upload is of no further use once the job ended; left over, it only costs space, so a failure is logged. */
    private void ended(String jobId) {
        deleteQuietly(Path.of(spoolFile(jobId)));
        if (sharedStore) {
            try {
                jobs.dropUpload(jobId);
            } catch (RuntimeException e) {
                LOG.warn("[attio-contacts] job {}: its upload stays in the store: {}", jobId, e.toString());
            }
        }
    }

    /**
     * A job's rows as its split reads them, without those already finished: reading stops, and the job counts as cut
     * short, once {@code keepGoing} says no while rows are left.
     */
    static final class JobRows implements Iterator<ContactRows.Row>, Closeable {
        private final ContactRows.RowIterator rows;
        private final Set<Integer> finished;
        private final BooleanSupplier keepGoing;
        private volatile boolean cutShort;
        private ContactRows.Row ahead;

        JobRows(ContactRows.RowIterator rows, Set<Integer> finished, BooleanSupplier keepGoing) {
            this.rows = rows;
            this.finished = finished;
            this.keepGoing = keepGoing;
        }

        @Override
        public boolean hasNext() {
            while (ahead == null && !cutShort && rows.hasNext()) {
                ContactRows.Row row = rows.next();
                if (!finished.contains(row.rowNo())) {
                    ahead = row;
                }
            }
            if (cutShort || ahead == null) {
                return false;
            }
            if (!keepGoing.getAsBoolean()) {
                cutShort = true;
                return false;
            }
            return true;
        }

        @Override
        public ContactRows.Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ContactRows.Row row = ahead;
            ahead = null;
            return row;
        }

        boolean cutShort() {
            return cutShort;
        }

        @Override
        public void close() {
            rows.close();
        }
    }

    private static void spoolAtMost(InputStream body, Path spool, long maxBytes) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        try (OutputStream out = Files.newOutputStream(spool)) {
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                copied += n;
                if (copied > maxBytes) {
                    throw new PayloadTooLargeException(maxBytes);
                }
                out.write(buffer, 0, n);
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover spool file is harmless; the next start does not read it
        }
    }
}

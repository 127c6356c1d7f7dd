package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.api.PayloadTooLargeException;
import io.github.attiocamel.api.ValidationException;
import io.github.attiocamel.gateway.AttioException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Batch imports as jobs: accepts a batch (the API's upload is spooled to disk first, so the 202 does not wait for
 * Attio and the rows are not held in memory), counts its rows, hands the rows out one at a time, keeps the counters
 * and per-row failures in the store, and reports progress (GET /api/jobs/{id} and a periodic log line).
 */
public final class ContactJobs {

    private static final Logger LOG = LoggerFactory.getLogger("attio.contacts");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ContactJobRepository jobs;
    private final Path spoolDir;
    /** The upload streams to disk (useStreaming), past the server's body limit: this is its limit. */
    private final long maxUploadBytes;
    private final Clock clock;
    private final int failuresShown;
    /** Jobs created before this instant belong to an earlier run of the bundle (see resumeInterrupted). */
    private final java.time.Instant bootedAt;

    public ContactJobs(ContactJobRepository jobs, Path spoolDir, Clock clock, int failuresShown, long maxUploadBytes) {
        this.maxUploadBytes = maxUploadBytes;
        this.jobs = jobs;
        this.spoolDir = spoolDir;
        this.clock = clock;
        this.failuresShown = failuresShown;
        this.bootedAt = clock.instant();
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
            jobs.create(jobId, "api", total);
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
        jobs.create(jobId, "file:" + name, total);
        LOG.info("[attio-contacts] job {} accepted file {} with {} rows", jobId, name, total);
        return jobId;
    }

    /** Where an API batch waits for its job (deleted when the job ends). */
    public String spoolFile(String jobId) {
        return spoolDir.resolve(jobId + ".batch").toString();
    }

    /** Marks the job running and returns its rows, to be split with streaming. */
    public ContactRows.RowIterator start(String jobId, String file, String name) {
        jobs.start(jobId);
        LOG.info("[attio-contacts] job {} started", jobId);
        return ContactRows.open(Path.of(file), ContactRows.formatOf(name));
    }

    /** The contact of a row, or a 400 for a row that could not be read (recorded like any other failure). */
    public JsonNode contact(ContactRows.Row row) {
        if (row.error() != null) {
            throw new ValidationException(Map.of("row", row.error()));
        }
        return row.contact();
    }

    public void rowDone(String jobId) {
        jobs.rowDone(jobId);
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

    public void finish(String jobId) {
        jobs.finish(jobId, ContactJob.COMPLETED, null);
        deleteQuietly(Path.of(spoolFile(jobId)));
        jobs.find(jobId).ifPresent(j -> LOG.info("[attio-contacts] job {} completed: {} done, {} failed of {} in {}s"
                + " ({}/s)", jobId, j.done(), j.failed(), j.total(), seconds(j), String.format("%.1f", j.rate(clock.instant()))));
    }

    /** The batch could not be read to the end: rows already upserted stay upserted, the rest are reported lost. */
    public void abort(String jobId, Throwable failure) {
        jobs.finish(jobId, ContactJob.FAILED, String.valueOf(failure.getMessage()));
        deleteQuietly(Path.of(spoolFile(jobId)));
        LOG.warn("[attio-contacts] job {} failed: {}", jobId, failure.getMessage());
    }

    /**
     * At start-up: jobs a stop or crash interrupted. An API batch whose spool file survived runs again from its first
     * row (every write is idempotent, so rows already done change nothing) and its id is returned; a file import is
     * closed as FAILED, because its file was not moved and is imported again as a new job.
     */
    public List<String> resumeInterrupted() {
        List<String> resumed = new ArrayList<>();
        for (ContactJob job : jobs.unfinished()) {
            if (!job.createdAt().isBefore(bootedAt)) {
                continue; // accepted by this run, already on its way
            }
            if ("api".equals(job.source()) && Files.exists(Path.of(spoolFile(job.jobId())))) {
                jobs.reset(job.jobId());
                resumed.add(job.jobId());
                LOG.info("[attio-contacts] job {} interrupted by a restart: running it again", job.jobId());
            } else {
                jobs.finish(job.jobId(), ContactJob.FAILED, "interrupted by a restart"
                        + (job.source().startsWith("file:") ? "; the file is imported again as a new job" : ""));
                LOG.warn("[attio-contacts] job {} interrupted by a restart and closed", job.jobId());
            }
        }
        return resumed;
    }

    /** For the file drop: a file with failed rows is moved to the failed directory (its rows are in the job). */
    public void requireNoFailures(String jobId) {
        ContactJob job = jobs.find(jobId).orElseThrow();
        if (job.failed() > 0 || ContactJob.FAILED.equals(job.state())) {
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

    /** One line per unfinished job, for the periodic progress log. */
    public List<String> progressLines() {
        List<String> lines = new ArrayList<>();
        for (ContactJob job : jobs.unfinished()) {
            Long eta = job.etaSeconds(clock.instant());
            lines.add(String.format("[attio-contacts] job %s %s: %d/%d done, %d failed, %.1f/s, ETA %s", job.jobId(),
                    job.state(), job.done(), job.total(), job.failed(), job.rate(clock.instant()),
                    eta == null ? "unknown" : eta + "s"));
        }
        return lines;
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

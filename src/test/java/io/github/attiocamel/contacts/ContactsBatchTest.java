package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.LogCapture;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * POST /api/contacts:batch, GET /api/jobs/{id} and the file drop on the real bundle against the simulator. Batch
 * rows use free-mail addresses so each contact costs exactly one write (the person assert) and one read.
 */
@BothStores
class ContactsBatchTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static RunningBundle bundle;
    static ContactsHttp api;

    @BeforeAll
    static void boot() {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.contacts.batch.progress-interval-ms", "1000")
                .start();
        api = new ContactsHttp(bundle);
    }

    @AfterAll
    static void shutdown() {
        bundle.close();
    }

    static String ndjson(String prefix, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("{\"email\":\"").append(prefix).append(i).append("@gmail.com\",\"first_name\":\"Row\",\"last_name\":\"")
                    .append(i).append("\"}\n");
        }
        return b.toString();
    }

    static JsonNode awaitJob(String jobId, Duration timeout, AtomicBoolean sawProgress) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            ContactsHttp.Answer a = api.get("/api/jobs/" + jobId);
            assertThat(a.status()).isEqualTo(200);
            JsonNode s = a.json();
            last.set(s);
            int processed = s.path("done").asInt() + s.path("failed").asInt();
            if (sawProgress != null && processed > 0 && processed < s.path("total").asInt()
                    && s.path("rate").asDouble() > 0 && !s.path("eta_seconds").isNull()) {
                sawProgress.set(true);
            }
            return !s.path("state").asText().equals("RUNNING") && !s.path("state").asText().equals("QUEUED");
        });
        return last.get();
    }

    @Test
    // the gateway sets the pace and the assertion is timed on a shared host: measured once, in the H2 half
    @DisabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
            disabledReason = "timed: measured in the H2 half only")
    void aBatchOf500RunsAtTheWriteBudgetWithout429sAndReportsProgress() {
        int people = ATTIO.simulator().data().count("people");

        ContactsHttp.Answer accepted = api.post("/api/contacts:batch", ndjson("batch500-", 500));

        assertThat(accepted.status()).as(accepted.raw().body()).isEqualTo(202);
        assertThat(accepted.json().path("total").asInt()).isEqualTo(500);
        String jobId = accepted.json().path("job_id").asText();
        AtomicBoolean sawProgress = new AtomicBoolean();
        JsonNode done = awaitJob(jobId, Duration.ofSeconds(90), sawProgress);

        assertThat(done.path("state").asText()).isEqualTo("COMPLETED");
        assertThat(done.path("done").asInt()).isEqualTo(500);
        assertThat(done.path("failed").asInt()).isZero();
        assertThat(sawProgress).as("progress (done, rate, ETA) visible while the job runs").isTrue();
        assertThat(ATTIO.simulator().data().count("people")).isEqualTo(people + 500);
        assertThat(ATTIO.simulator().count(RecordedRequest.Kind.WRITE, 429)).isZero();
        assertThat(ATTIO.simulator().count(RecordedRequest.Kind.READ, 429)).isZero();
        assertThat(ATTIO.simulator().maxInAnyWindow(RecordedRequest.Kind.WRITE, Duration.ofSeconds(1))).isLessThanOrEqualTo(25);
        List<Instant> writes = ATTIO.simulator().requests().stream().filter(r -> r.kind() == RecordedRequest.Kind.WRITE)
                .map(RecordedRequest::arrival).sorted().toList();
        assertThat(writes).hasSize(500);
        double seconds = Duration.between(writes.get(0), writes.get(writes.size() - 1)).toNanos() / 1e9;
        double rate = (writes.size() - 1) / seconds;
        System.out.printf("[attio-contacts] batch of 500: achieved %.2f writes/s = %.1f%% of the 25/s budget%n",
                rate, rate / 25 * 100);
        assertThat(rate).isGreaterThanOrEqualTo(0.9 * 25);
    }

    @Test
    void withAttioAllowingLessThanTheBudgetTheBatchStillCompletesByHonouringRetryAfter() {
        ATTIO.simulator().setRateLimits(100, 10);
        int people = ATTIO.simulator().data().count("people");

        ContactsHttp.Answer accepted = api.post("/api/contacts:batch", ndjson("slow-attio-", 60));
        JsonNode done = awaitJob(accepted.json().path("job_id").asText(), Duration.ofSeconds(90), null);

        assertThat(done.path("state").asText()).isEqualTo("COMPLETED");
        assertThat(done.path("done").asInt()).isEqualTo(60);
        assertThat(done.path("failed").asInt()).isZero();
        assertThat(ATTIO.simulator().data().count("people")).isEqualTo(people + 60);
        assertThat(ATTIO.simulator().count(RecordedRequest.Kind.WRITE, 429)).as("Attio's limit was hit").isPositive();
    }

    @Test
    void aJsonArrayIsAcceptedAndBadRowsAreReportedPerRow() {
        String body = """
                [{"email": "array-one@gmail.com"},
                 {"email": "not-an-email"},
                 {"email": "array-two@gmail.com", "pipeline": {"stage": "Nope"}},
                 {"email": "array-three@gmail.com"}]""";

        ContactsHttp.Answer accepted = api.post("/api/contacts:batch", body);
        assertThat(accepted.status()).as(accepted.raw().body()).isEqualTo(202);
        JsonNode done = awaitJob(accepted.json().path("job_id").asText(), Duration.ofSeconds(30), null);

        assertThat(done.path("total").asInt()).isEqualTo(4);
        assertThat(done.path("done").asInt()).isEqualTo(2);
        assertThat(done.path("failed").asInt()).isEqualTo(2);
        JsonNode failures = done.path("failures");
        assertThat(failures.path(0).path("row").asInt()).isEqualTo(2);
        assertThat(failures.path(0).path("status").asInt()).isEqualTo(400);
        assertThat(failures.path(0).path("fields").has("email")).isTrue();
        assertThat(failures.path(1).path("row").asInt()).isEqualTo(3);
        assertThat(failures.path(1).path("status").asInt()).isEqualTo(422);
        assertThat(failures.path(1).path("message").asText()).contains("Nope", "Qualified");
        assertThat(ATTIO.simulator().data().findRecord("people", "email_addresses", "array-two@gmail.com")).isNull();
    }

    @Test
    void aBatchInterruptedByARestartRunsAgainFromItsSpooledUpload() throws Exception {
        bundle.stop();
        String jobId = "interrupted-" + System.nanoTime();
        Path spool = bundle.dataDir().resolve("jobs").resolve(jobId + ".batch");
        Files.createDirectories(spool.getParent());
        Files.writeString(spool, ndjson("resumed-", 3));
        try (io.github.attiocamel.store.AttioStore store = bundle.openStore(2)) {
            var jobs = new io.github.attiocamel.contacts.ContactJobRepository(store.dataSource());
            jobs.create(jobId, "api", 3, null);
            jobs.start(jobId);
            jobs.rowDone(jobId, 1);
        } finally {
            bundle.start();
        }

        JsonNode done = awaitJob(jobId, Duration.ofSeconds(30), null);

        assertThat(done.path("state").asText()).isEqualTo("COMPLETED");
        assertThat(done.path("done").asInt()).isEqualTo(3);
        assertThat(ATTIO.simulator().data().findRecord("people", "email_addresses", "resumed-2@gmail.com")).isNotNull();
        assertThat(ATTIO.simulator().data().findRecord("people", "email_addresses", "resumed-0@gmail.com"))
                .as("row 1 was finished before the restart: not upserted again").isNull();
        assertThat(spool).doesNotExist();
    }

    @Test
    void aMalformedBatchIsRefusedBeforeAJobExists() {
        ContactsHttp.Answer a = api.post("/api/contacts:batch", "[{\"email\": \"x@gmail.com\"}, {\"email\": ");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(400);
        assertThat(a.json().path("fields").path("body").asText()).contains("JSON");
        assertThat(api.get("/api/jobs/does-not-exist").status()).isEqualTo(404);
    }

    @Test
    void anUploadOverTheBodyLimitIs413AndLeavesNothingBehind() throws Exception {
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            ndjson.append("{\"email\": \"limit-").append(i).append("@gmail.com\"}\n");
        }
        try (RunningBundle small = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.api.max-upload-bytes", "1000").start()) {
            ContactsHttp.Answer a = new ContactsHttp(small).post("/api/contacts:batch", ndjson.toString());

            assertThat(a.status()).as(a.raw().body()).isEqualTo(413);
            assertThat(a.json().path("error").asText()).isEqualTo("payload_too_large");
            Path spoolDir = small.dataDir().resolve("jobs");
            if (Files.exists(spoolDir)) {
                try (var left = Files.list(spoolDir)) {
                    assertThat(left).as("no spool left").isEmpty();
                }
            }
            assertThat(new ContactsHttp(small).post("/api/contacts:batch", "{\"email\": \"ok@gmail.com\"}").status())
                    .as("a batch under the limit is still accepted").isEqualTo(202);
        }
    }

    @Test
    void aDroppedCsvFileIsImportedAndMovedToProcessed() throws Exception {
        Path dir = bundle.dataDir().resolve("import");
        Files.createDirectories(dir);
        String csv = """
                email,first_name,last_name,company.domain,company.name,pipeline.stage,pipeline.value
                csv-ada@csv-engines.com,Ada,Lovelace,csv-engines.com,CSV Engines,Qualified,1200
                csv-bob@gmail.com,Bob,,,,,
                """;
        Files.writeString(dir.resolve("contacts.csv.tmp"), csv, StandardCharsets.UTF_8);
        Files.move(dir.resolve("contacts.csv.tmp"), dir.resolve("contacts.csv"));

        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve(".processed"))
                && Files.list(dir.resolve(".processed")).anyMatch(p -> p.getFileName().toString().endsWith("contacts.csv")));

        JsonNode ada = ATTIO.simulator().data().findRecord("people", "email_addresses", "csv-ada@csv-engines.com");
        assertThat(ada).isNotNull();
        assertThat(ada.path("values").path("name").path(0).path("full_name").asText()).isEqualTo("Ada Lovelace");
        assertThat(ATTIO.simulator().data().findRecord("companies", "domains", "csv-engines.com")).isNotNull();
        assertThat(ATTIO.simulator().data().findRecord("people", "email_addresses", "csv-bob@gmail.com")).isNotNull();
        assertThat(ATTIO.simulator().data().entryCount("sales")).isPositive();
    }

    @Test
    void aSymlinkInTheDropDirectoryIsSkippedWithALogLineAndItsTargetNeverRead() throws Exception {
        Path dir = bundle.dataDir().resolve("import");
        Files.createDirectories(dir);
        Path outside = Files.createTempFile("outside-drop-", ".csv");
        Files.writeString(outside, "email\noutside-secret@etc-passwd.com\n");
        StringWriter log = new StringWriter();
        try (LogCapture capture = LogCapture.into(log)) {
            Files.createSymbolicLink(dir.resolve("linked.csv"), outside);
            Files.writeString(dir.resolve("after-link.csv.tmp"), "email\nafter-link@gmail.com\n");
            Files.move(dir.resolve("after-link.csv.tmp"), dir.resolve("after-link.csv"));

            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve(".processed"))
                    && Files.list(dir.resolve(".processed")).anyMatch(p -> p.toString().endsWith("after-link.csv")));
            // the regular file dropped after the link was imported, so the link's poll has passed
            assertThat(Files.isSymbolicLink(dir.resolve("linked.csv"))).as("left where it lies").isTrue();
            assertThat(Files.list(dir.resolve(".processed")).map(Path::toString)).noneMatch(p -> p.endsWith("linked.csv"));
            assertThat(ATTIO.simulator().data().findRecord("people", "email_addresses", "outside-secret@etc-passwd.com"))
                    .isNull();
            await().atMost(Duration.ofSeconds(10)).until(() -> capture.text().contains("skipped linked.csv"));
            assertThat(capture.text()).contains("symbolic link");
        } finally {
            Files.deleteIfExists(dir.resolve("linked.csv"));
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void aDroppedFileWithAFailedRowIsMovedToFailed() throws Exception {
        Path dir = bundle.dataDir().resolve("import");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("bad.ndjson.tmp"), "{\"email\":\"ok-ndjson@gmail.com\"}\n{not json\n");
        Files.move(dir.resolve("bad.ndjson.tmp"), dir.resolve("bad.ndjson"));

        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve(".failed"))
                && Files.list(dir.resolve(".failed")).anyMatch(p -> p.getFileName().toString().endsWith("bad.ndjson")));
        assertThat(ATTIO.simulator().data().findRecord("people", "email_addresses", "ok-ndjson@gmail.com")).isNotNull();
    }
}

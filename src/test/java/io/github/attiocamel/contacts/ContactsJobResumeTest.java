package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Acceptance: a batch job interrupted by a stop is continued by the work tracker's resume route after the restart. */
@BothStores
class ContactsJobResumeTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void aBatchInterruptedByAStopRunsAgainFromItsUploadAfterTheRestartAndCompletes() {
        try (RunningBundle bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey()).start()) {
            ContactsHttp api = new ContactsHttp(bundle);
            int people = ATTIO.simulator().data().count("people");
            ContactsHttp.Answer accepted = api.post("/api/contacts:batch", ContactsBatchTest.ndjson("stopped-", 200));
            assertThat(accepted.status()).as(accepted.raw().body()).isEqualTo(202);
            String jobId = accepted.json().path("job_id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/jobs/" + jobId).json().path("done").asInt() >= 20);

            long stopping = System.nanoTime();
            bundle.stop();
            Duration stop = Duration.ofNanos(System.nanoTime() - stopping);

            assertThat(stop).as("the job stops reading rows instead of holding the stop up").isLessThan(Duration.ofSeconds(20));
            ContactJob stopped = stoppedJob(bundle, jobId);
            assertThat(stopped.state()).as("not completed with rows left").isEqualTo("RUNNING");
            assertThat(stopped.processed()).isBetween(20, 199);
            assertThat(stopped.work().holder()).as("released by the stop").isNull();
            Path spool = bundle.dataDir().resolve("jobs").resolve(jobId + ".batch");
            assertThat(spool).as("the upload stays for the rerun").exists();

            bundle.start();
            JsonNode done = awaitJob(new ContactsHttp(bundle), jobId, Duration.ofSeconds(60));

            assertThat(done.path("state").asText()).isEqualTo("COMPLETED");
            assertThat(done.path("total").asInt()).isEqualTo(200);
            assertThat(done.path("done").asInt()).isEqualTo(200);
            assertThat(done.path("failed").asInt()).isZero();
            assertThat(ATTIO.simulator().data().count("people")).as("rows upserted twice are one person each")
                    .isEqualTo(people + 200);
            assertThat(spool).doesNotExist();
        }
    }

    private static ContactJob stoppedJob(RunningBundle bundle, String jobId) {
        try (AttioStore store = bundle.openStore(2)) {
            return new ContactJobRepository(store.dataSource()).find(jobId).orElseThrow();
        }
    }

    /** Polls GET /api/jobs/{id} until the job is finished. */
    private static JsonNode awaitJob(ContactsHttp api, String jobId, Duration timeout) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = api.get("/api/jobs/" + jobId).json();
            String state = last[0].path("state").asText();
            return !"RUNNING".equals(state) && !"QUEUED".equals(state);
        });
        return last[0];
    }
}

package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import io.github.attiocamel.testing.BothStores;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance of one workspace budget across instances: three bundle processes on one PostgreSQL store each run a
 * contact batch at the same time against Attio's workspace-wide 25 writes/s. Each process alone would spend the whole
 * budget (and together be refused); sharing it, they get no 429, never put more than 25 writes into any second, and
 * together still write at no less than 90% of it. Rows are free-mail contacts: one write (the person assert) each.
 * The bound is exact however busy the host (the slots of the window are taken before a request leaves and freed a
 * second after its answer); only the rate depends on the host.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class ContactsWorkspaceBudgetTest {

    private static final int PROCESSES = 3;
    /** 3 x 110 rows: about 14 s of the combined budget. */
    private static final int ROWS_EACH = 110;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void threeProcessesBatchingAtOnceShareTheWorkspaceWriteBudget() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        int people = sim.data().count("people");
        List<BundleProcess> bundles = new ArrayList<>();
        try (TestPostgres db = TestPostgres.freshDatabase("budget")) {
            try {
                for (int i = 0; i < PROCESSES; i++) {
                    bundles.add(shared(BundleProcess.against(sim.baseUrl(), sim.apiKey()), db).start());
                }
                // one contact each first: the simulator compiles a request's schema on first use, on its event loop,
                // which would stamp the requests queued behind it as arriving together
                for (int i = 0; i < PROCESSES; i++) {
                    HttpResponse<String> warm = bundles.get(i).apiPost("/api/contacts",
                            "{\"email\": \"warm-up-" + i + "@gmail.com\"}");
                    assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
                }
                people += PROCESSES;
                sim.clearRequests();

                List<String> jobs = new ArrayList<>();
                for (int i = 0; i < PROCESSES; i++) {
                    HttpResponse<String> accepted = bundles.get(i).apiPost("/api/contacts:batch",
                            ContactsBatchTest.ndjson("shared-budget-" + i + "-", ROWS_EACH));
                    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
                    jobs.add(JSON.readTree(accepted.body()).path("job_id").asText());
                }
                for (int i = 0; i < PROCESSES; i++) {
                    BundleProcess bundle = bundles.get(i);
                    String job = jobs.get(i);
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                            .until(() -> finished(bundle, job));
                    JsonNode state = JSON.readTree(bundle.apiGet("/api/jobs/" + job));
                    assertThat(state.path("state").asText()).as(state.toString()).isEqualTo("COMPLETED");
                    assertThat(state.path("done").asInt()).isEqualTo(ROWS_EACH);
                    assertThat(state.path("failed").asInt()).isZero();
                }
            } finally {
                for (BundleProcess bundle : bundles) {
                    bundle.close();
                }
            }
        }

        int window = sim.maxInAnyWindow(RecordedRequest.Kind.WRITE, Duration.ofSeconds(1));
        List<Instant> writes = sim.requests().stream().filter(r -> r.kind() == RecordedRequest.Kind.WRITE)
                .map(RecordedRequest::arrival).sorted().toList();
        double seconds = Duration.between(writes.get(0), writes.get(writes.size() - 1)).toNanos() / 1e9;
        double rate = (writes.size() - 1) / seconds;
        System.out.printf("[attio-budget] %d processes, %d writes in %.2f s: %.2f writes/s combined (%.1f%% of 25/s), "
                        + "busiest second %d, 429s %d%n", PROCESSES, writes.size(), seconds, rate, rate / 25 * 100, window,
                sim.count(RecordedRequest.Kind.WRITE, 429));
        long idle = 0;
        for (int i = 1; i < writes.size(); i++) {
            long gap = Duration.between(writes.get(i - 1), writes.get(i)).toMillis();
            idle += gap > 100 ? gap : 0;
        }
        System.out.printf("[attio-budget] gaps over 100 ms between writes: %d ms in all%n", idle);
        assertThat(sim.count(RecordedRequest.Kind.WRITE, 429)).as("writes refused by Attio").isZero();
        assertThat(sim.count(RecordedRequest.Kind.READ, 429)).as("reads refused by Attio").isZero();
        assertThat(window).as("most writes in any second at Attio").isLessThanOrEqualTo(25);
        assertThat(writes).hasSize(PROCESSES * ROWS_EACH);
        assertThat(sim.data().count("people")).isEqualTo(people + PROCESSES * ROWS_EACH);
        assertThat(rate).as("combined writes per second").isGreaterThanOrEqualTo(0.9 * 25);
    }

    private static boolean finished(BundleProcess bundle, String job) throws Exception {
        String body = bundle.apiGet("/api/jobs/" + job);
        if (body == null) {
            return false;
        }
        String state = JSON.readTree(body).path("state").asText();
        return !state.equals("RUNNING") && !state.equals("QUEUED");
    }

    private static BundleProcess shared(BundleProcess bundle, TestPostgres db) {
        // -Dattio.test.budget-scope=process shows what each process spending the budget alone gives (it fails)
        return bundle.sharing(db).env("ATTIO_BUDGET_SCOPE", System.getProperty("attio.test.budget-scope"));
    }
}

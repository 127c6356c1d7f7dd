package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A 200 is a promise that survives {@code kill -9}: the bundle runs as a JVM of its own, accepts a burst of signed
 * deliveries, is killed (SIGKILL) right after the last 200, starts again on the same store, and then processes every
 * accepted delivery exactly once. The first incarnation does not poll its inbox, so whatever it answered 200 for can
 * only reach the mirror from what it left on disk.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class WebhookKillRecoveryTest {

    private static final int DELIVERIES = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void everyDeliveryAnswered200OnH2IsProcessedOnceAfterAKill() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        try (BundleProcess bundle = BundleProcess.against(sim.baseUrl(), sim.apiKey())) {
            acceptKillRestartAndCheck(sim, bundle);
        }
    }

    @Test
    void everyDeliveryAnswered200OnPostgresIsProcessedOnceAfterAKill() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        try (TestPostgres db = TestPostgres.freshDatabase("kill_recovery");
             BundleProcess bundle = BundleProcess.against(sim.baseUrl(), sim.apiKey())) {
            bundle.sharing(db);
            acceptKillRestartAndCheck(sim, bundle);
        }
    }

    private static void acceptKillRestartAndCheck(AttioSimulator sim, BundleProcess bundle) throws Exception {
        int before = sim.data().count("people");
        sim.data().seedPeople(DELIVERIES);
        List<String> ids = sim.data().recordIds("people").subList(before, before + DELIVERIES);

        bundle.env("ATTIO_WEBHOOK_POLL_INTERVAL_MS", "3600000").start();
        String url = bundle.httpUrl() + "/webhooks/attio";
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (String id : ids) {
                String envelope = sim.recordEvent("record.created", "people", id);
                statuses.add(senders.submit(() -> sim.deliver(url, RunningBundle.WEBHOOK_SECRET, envelope,
                        UUID.randomUUID().toString())));
            }
            for (Future<Integer> status : statuses) {
                assertThat(status.get()).isEqualTo(200);
            }
        } finally {
            senders.shutdownNow();
        }
        // the other acknowledgements: a batch upload's 202 and a queued sync's 202
        HttpResponse<String> batch = bundle.apiPost("/api/contacts:batch",
                "{\"email\":\"kill-" + UUID.randomUUID() + "@gmail.com\",\"first_name\":\"Kill\",\"last_name\":\"Nine\"}\n");
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(202);
        HttpResponse<String> sync = bundle.apiPost("/api/sync/companies", "");
        assertThat(sync.statusCode()).as(sync.body()).isEqualTo(202);
        bundle.kill();
        sim.clearRequests();

        bundle.env("ATTIO_WEBHOOK_POLL_INTERVAL_MS", null).start();
        assertThat(bundle.apiGet("/api/jobs/" + JSON.readTree(batch.body()).path("job_id").asText()))
                .as("the accepted batch job after the kill").isNotNull();
        assertThat(bundle.apiGet("/api/sync/runs/" + JSON.readTree(sync.body()).path("run_id").asText()))
                .as("the queued sync run after the kill").isNotNull();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(mirrored(bundle, ids)).as("delivered records in the mirror")
                        .isEqualTo(DELIVERIES));
        Map<String, Long> getsPerRecord = sim.requests().stream()
                .filter(r -> "GET".equals(r.method()) && r.path().startsWith("/v2/objects/people/records/"))
                .collect(Collectors.groupingBy(r -> r.path().substring(r.path().lastIndexOf('/') + 1),
                        Collectors.counting()));
        assertThat(ids).allSatisfy(id -> assertThat(getsPerRecord.get(id)).as("GETs of " + id).isEqualTo(1L));
    }

    /** Counts only the delivered records: the batch job's contact reaches the mirror too, whenever it runs. */
    private static long mirrored(BundleProcess bundle, List<String> ids) throws Exception {
        String page = bundle.apiGet("/api/mirror/people?limit=500");
        if (page == null) {
            return -1;
        }
        Set<String> wanted = Set.copyOf(ids);
        long found = 0;
        for (JsonNode row : JSON.readTree(page).path("data")) {
            if (wanted.contains(row.path("id").path("record_id").asText())) {
                found++;
            }
        }
        return found;
    }
}

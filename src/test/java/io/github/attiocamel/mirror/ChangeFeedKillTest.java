package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.ChangeSink;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance: the bundle runs as a JVM of its own, relays a burst of 500 changes (100 records, five versions each,
 * from webhooks) to a slow HTTP endpoint, and is killed (SIGKILL) in the middle of the third version, with a batch in
 * flight and more changes waiting in its outbox or its inbox. After a restart on
 * the same store every change arrives, deduplicated by its change_id exactly once, each record's versions in
 * order; a message sent just before the kill may come twice, under the same id.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class ChangeFeedKillTest {

    private static final int RECORDS = 100;
    private static final int VERSIONS = 5;
    private static final int BATCH = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void noChangeIsLostAcrossAKillOnH2() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        try (ChangeSink sink = new ChangeSink();
             BundleProcess bundle = BundleProcess.against(sim.baseUrl(), sim.apiKey())) {
            burstKillRestartAndCheck(sim, sink, bundle);
        }
    }

    @Test
    void noChangeIsLostAcrossAKillOnPostgres() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        try (ChangeSink sink = new ChangeSink();
             TestPostgres db = TestPostgres.freshDatabase("change_kill");
             BundleProcess bundle = BundleProcess.against(sim.baseUrl(), sim.apiKey())) {
            bundle.sharing(db);
            burstKillRestartAndCheck(sim, sink, bundle);
        }
    }

    private static void burstKillRestartAndCheck(AttioSimulator sim, ChangeSink sink, BundleProcess bundle)
            throws Exception {
        int before = sim.data().count("people");
        sim.data().seedPeople(RECORDS);
        List<String> records = sim.data().recordIds("people").subList(before, before + RECORDS);
        bundle.env("ATTIO_CHANGES_URI", sink.uri()).env("ATTIO_SYNC_SCHEDULE_ENABLED", "false")
                .env("ATTIO_CHANGES_RELAY_BATCH_SIZE", String.valueOf(BATCH)).start();

        for (int v = 1; v <= VERSIONS; v++) {
            for (int i = 0; i < RECORDS; i++) {
                String id = records.get(i);
                if (v == 3 && i == 0) {
                    // a slow endpoint from here: a batch is in flight and more wait in the outbox at the kill
                    sink.latency(Duration.ofMillis(100));
                }
                if (v == 3 && i == RECORDS / 2) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> sink.received().size() > 2 * RECORDS);
                    bundle.kill();
                    sink.latency(Duration.ZERO);
                    bundle.start();
                }
                sim.data().updateRecord("people", id, JSON.readTree("{\"job_title\":\"v" + v + "\"}"));
                String url = bundle.httpUrl() + "/webhooks/attio";
                assertThat(sim.deliver(url, RunningBundle.WEBHOOK_SECRET,
                        sim.recordUpdatedEvent("people", id, "job_title"), UUID.randomUUID().toString()))
                        .isEqualTo(200);
            }
            // each version reaches the endpoint before the next is made, so every one is a change of its own
            String version = "v" + v;
            await().atMost(Duration.ofSeconds(90)).until(() -> versions(sink).values().stream()
                    .filter(seen -> seen.stream().anyMatch(s -> s.endsWith(" " + version))).count() == RECORDS);
        }

        Set<String> ids = sink.ids();
        assertThat(ids).as("every change, each once by id").hasSize(RECORDS * VERSIONS);
        assertThat(sink.received().size() - ids.size()).as("re-sent after the kill: at most the batch in flight")
                .isLessThanOrEqualTo(BATCH);
        List<String> inOrder = new ArrayList<>();
        for (int v = 1; v <= VERSIONS; v++) {
            inOrder.add((v == 1 ? "record.created" : "record.updated") + " v" + v);
        }
        assertThat(versions(sink)).containsOnlyKeys(records)
                .allSatisfy((id, seen) -> assertThat(seen).as(id).isEqualTo(inOrder));
    }

    /** Each record's changes in arrival order, deduplicated by change_id: "event_type job_title". */
    private static Map<String, List<String>> versions(ChangeSink sink) {
        Set<String> seenIds = new LinkedHashSet<>();
        Map<String, List<String>> versions = new LinkedHashMap<>();
        for (ChangeSink.Received r : sink.received()) {
            if (seenIds.add(r.changeId())) {
                versions.computeIfAbsent(r.changeKey(), k -> new ArrayList<>()).add(r.body().path("event_type").asText()
                        + " " + r.body().path("values").path("job_title").path(0).path("value").asText());
            }
        }
        return versions;
    }
}

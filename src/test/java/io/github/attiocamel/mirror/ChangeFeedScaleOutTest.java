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
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances on one PostgreSQL store both write changes into the shared outbox, each record's versions made by
 * alternating instances: the endpoint gets every change exactly once (one relay at a time, never both) and each
 * record's in order.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class ChangeFeedScaleOutTest {

    private static final int RECORDS = 60;
    private static final int VERSIONS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void twoInstancesRelayEachChangeOnceAndEachRecordInOrder() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        int before = sim.data().count("people");
        sim.data().seedPeople(RECORDS);
        List<String> records = sim.data().recordIds("people").subList(before, before + RECORDS);
        try (ChangeSink sink = new ChangeSink();
             TestPostgres db = TestPostgres.freshDatabase("change_scale_out");
             BundleProcess first = BundleProcess.against(sim.baseUrl(), sim.apiKey());
             BundleProcess second = BundleProcess.against(sim.baseUrl(), sim.apiKey())) {
            for (BundleProcess bundle : List.of(first, second)) {
                bundle.sharing(db).env("ATTIO_CHANGES_URI", sink.uri()).env("ATTIO_SYNC_SCHEDULE_ENABLED", "false")
                        .start();
            }
            List<BundleProcess> instances = List.of(first, second);
            for (int v = 1; v <= VERSIONS; v++) {
                for (int i = 0; i < RECORDS; i++) {
                    String id = records.get(i);
                    sim.data().updateRecord("people", id, JSON.readTree("{\"job_title\":\"v" + v + "\"}"));
                    assertThat(sim.deliver(instances.get((i + v) % 2).httpUrl() + "/webhooks/attio",
                            RunningBundle.WEBHOOK_SECRET, sim.recordUpdatedEvent("people", id, "job_title"),
                            UUID.randomUUID().toString())).isEqualTo(200);
                }
                int expected = v * RECORDS;
                await().atMost(Duration.ofSeconds(60)).until(() -> sink.ids().size() == expected);
            }

            assertThat(sink.received()).as("each once: one relay at a time").hasSize(RECORDS * VERSIONS);
            Map<String, List<String>> versions = new LinkedHashMap<>();
            sink.received().forEach(r -> versions.computeIfAbsent(r.changeKey(), k -> new ArrayList<>())
                    .add(r.body().path("values").path("job_title").path(0).path("value").asText()));
            assertThat(versions).containsOnlyKeys(records)
                    .allSatisfy((id, seen) -> assertThat(seen).as(id).containsExactly("v1", "v2", "v3", "v4"));
        }
    }
}

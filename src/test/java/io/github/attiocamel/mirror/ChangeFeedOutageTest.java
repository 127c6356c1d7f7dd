package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.ChangeSink;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance: the change feed's endpoint is down for 20 s while a burst of 500 changes (100 records, five versions
 * each, from webhooks) happens. Nothing is lost: after it returns, all 500 arrive, each once by its id, each record's
 * versions in order; meanwhile the backlog shows in the metrics and readiness.
 */
@BothStores
class ChangeFeedOutageTest {

    private static final int RECORDS = 100;
    private static final int VERSIONS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void fiveHundredChangesWaitOutATwentySecondOutageAndArriveOnceInOrder() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        int before = sim.data().count("people");
        sim.data().seedPeople(RECORDS);
        List<String> records = sim.data().recordIds("people").subList(before, before + RECORDS);
        try (ChangeSink sink = new ChangeSink();
             RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                     .property("attio.sync.schedule-enabled", "false")
                     .property("attio.changes.uri", sink.uri())
                     .property("attio.changes.ready-max-lag", "PT10S")
                     .property("attio.health.cache-ttl", "PT0.2S")
                     .start()) {
            String url = bundle.httpUrl() + "/webhooks/attio";
            sink.down(true);
            Instant down = Instant.now();
            for (int v = 1; v <= VERSIONS; v++) {
                for (String id : records) {
                    sim.data().updateRecord("people", id, JSON.readTree("{\"job_title\":\"v" + v + "\"}"));
                    assertThat(sim.deliver(url, RunningBundle.WEBHOOK_SECRET,
                            sim.recordUpdatedEvent("people", id, "job_title"), UUID.randomUUID().toString()))
                            .isEqualTo(200);
                }
                // each version is fetched before the next is made, so every one is a change of its own
                await().atMost(Duration.ofSeconds(60)).until(() -> bundle.queryLong("SELECT COUNT(*) FROM webhook_inbox WHERE state <> 'done'") == 0);
            }
            ChangeOutbox outbox = bundle.camelContext().getRegistry().lookupByNameAndType("changeOutbox",
                    ChangeOutbox.class);
            assertThat(outbox.backlog().size()).isEqualTo(RECORDS * VERSIONS);
            Duration left = Duration.ofSeconds(20).minus(Duration.between(down, Instant.now()));
            if (!left.isNegative()) {
                await().during(left).atMost(left.plusSeconds(5)).until(() -> sink.received().isEmpty());
            }
            assertThat(sink.refused()).as("the relay kept trying").isPositive();
            await().atMost(Duration.ofSeconds(10)).until(() -> readiness(bundle) == 503);
            assertThat(metrics(bundle)).contains("attio_changes_backlog " + (RECORDS * VERSIONS) + ".0");

            sink.down(false);
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.received().size() >= RECORDS * VERSIONS);
            bundle.awaitChangesRelayed();

            List<ChangeSink.Received> received = sink.received();
            assertThat(received).as("each once").hasSize(RECORDS * VERSIONS);
            assertThat(sink.ids()).hasSize(RECORDS * VERSIONS);
            assertThat(received).allSatisfy(r -> {
                assertThat(r.body().path("change_id").asText()).isEqualTo(r.changeId());
                assertThat(r.body().path("record_id").asText()).isEqualTo(r.changeKey());
            });
            Map<String, List<String>> versions = received.stream().collect(Collectors.groupingBy(
                    r -> r.body().path("record_id").asText(), LinkedHashMap::new, Collectors.mapping(
                            r -> r.body().path("event_type").asText() + " "
                                    + r.body().path("values").path("job_title").path(0).path("value").asText(),
                            Collectors.toList())));
            assertThat(versions.keySet()).containsExactlyInAnyOrderElementsOf(records);
            List<String> inOrder = new ArrayList<>();
            for (int v = 1; v <= VERSIONS; v++) {
                // the mirror starts empty: a record's first change creates it there
                inOrder.add((v == 1 ? "record.created" : "record.updated") + " v" + v);
            }
            assertThat(versions).allSatisfy((id, seen) -> assertThat(seen).as(id).isEqualTo(inOrder));
            await().atMost(Duration.ofSeconds(10)).until(() -> readiness(bundle) == 200);
        }
    }


    private static int readiness(RunningBundle bundle) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.managementUrl() + "/observe/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String metrics(RunningBundle bundle) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.managementUrl() + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}

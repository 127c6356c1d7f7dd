package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Acceptance: a run mirrors everything; a second run reports exactly the difference and publishes only that. */
@BothStores
class FullSyncReconciliationTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private RunningBundle bundle;
    private SyncApi api;

    @BeforeEach
    void start() {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(2345 - sim.data().count("people"));
        bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.changes.uri", "mock:changes")
                .property("attio.sync.schedule-enabled", "false")
                .start();
        api = new SyncApi(bundle);
    }

    @AfterEach
    void stop() {
        bundle.close();
    }

    @Test
    void firstRunMirrorsEveryPersonAndTheNextReportsExactlyWhatChanged() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        MockEndpoint changes = bundle.camelContext().getEndpoint("mock:changes", MockEndpoint.class);
        MirrorRepository mirror = bundle.camelContext().getRegistry().lookupByNameAndType("mirrorRepository",
                MirrorRepository.class);

        JsonNode first = api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60));

        assertThat(first.path("state").asText()).isEqualTo("completed");
        assertThat(first.path("pages").asInt()).isEqualTo(5);
        assertThat(first.path("records").asInt()).isEqualTo(2345);
        assertThat(first.path("created").asInt()).isEqualTo(2345);
        assertThat(first.path("deleted").asInt()).isZero();
        assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(2345);
        bundle.awaitChangesRelayed();
        assertThat(changes.getReceivedCounter()).isEqualTo(2345);
        List<RecordedRequest> queries = sim.requests().stream()
                .filter(r -> r.path().equals("/v2/objects/people/records/query")).toList();
        assertThat(queries).allSatisfy(q -> {
            assertThat(q.json().path("limit").asInt()).isEqualTo(500);
            assertThat(q.json().path("sorts").path(0).path("attribute").asText()).isEqualTo("created_at");
            assertThat(q.json().has("offset")).isTrue();
            assertThat(q.query()).isNullOrEmpty();
        });
        assertThat(queries).extracting(q -> q.bodyLong("offset", -1)).contains(0L, 500L, 1000L, 1500L, 2000L);

        List<String> ids = sim.data().recordIds("people");
        for (String id : ids.subList(100, 110)) {
            sim.data().deleteRecord("people", id);
        }
        for (String id : ids.subList(1200, 1205)) {
            sim.data().updateRecord("people", id, JsonNodeFactory.instance.objectNode()
                    .set("job_title", JsonNodeFactory.instance.arrayNode().add("Chief Reconciler")));
        }
        bundle.awaitChangesRelayed();
        changes.reset();
        sim.clearRequests();

        JsonNode second = api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60));

        assertThat(second.path("state").asText()).isEqualTo("completed");
        assertThat(second.path("deleted").asInt()).isEqualTo(10);
        assertThat(second.path("updated").asInt()).isEqualTo(5);
        assertThat(second.path("created").asInt()).isZero();
        assertThat(second.path("unchanged").asInt()).isEqualTo(2335 - 5);
        assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(2335);
        bundle.awaitChangesRelayed();
        assertThat(changes.getReceivedCounter()).isEqualTo(15);
        Map<String, Long> byType = changes.getReceivedExchanges().stream()
                .map(e -> SyncApi.json(e.getMessage().getBody(String.class)))
                .peek(m -> assertThat(m.path("source").asText()).isEqualTo("full-sync"))
                .collect(Collectors.groupingBy(m -> m.path("event_type").asText(), Collectors.counting()));
        assertThat(byType).containsExactlyInAnyOrderEntriesOf(Map.of("record.deleted", 10L, "record.updated", 5L));
        // the mirror's size is known now: no read past the last page
        assertThat(sim.requests().stream().filter(r -> r.path().endsWith("/records/query")).count()).isEqualTo(5);
    }

    @Test
    void metricsCountRecordsByOutcomeAndPages() throws Exception {
        api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60));

        HttpResponse<String> metrics = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                URI.create(bundle.managementUrl() + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());

        Function<String, Double> value = prefix -> metrics.body().lines().filter(l -> l.startsWith(prefix))
                .filter(l -> l.contains("target=\"records:people\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(value.apply("attio_sync_records_total{outcome=\"created\"")).isEqualTo(2345.0);
        assertThat(value.apply("attio_sync_pages_total")).isEqualTo(5.0);
        assertThat(metrics.body()).contains("attio_sync_run_duration_seconds_count{");
    }
}

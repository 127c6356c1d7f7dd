package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance: a run whose deletion candidates exceed attio.sync.deletion-hold-share of the mirror deletes nothing,
 * reports deletions_held, and deletes (still checking each with Attio) only on POST .../deletions:confirm.
 */
class FullSyncDeletionHoldTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void tooManyCandidatesAreHeldUntilConfirmedAtTheExactPathOnly() {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(400);
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.changes.uri", "mock:changes")
                .property("attio.sync.schedule-enabled", "false")
                .start()) {
            SyncApi api = new SyncApi(bundle);
            MirrorRepository mirror = bundle.camelContext().getRegistry().lookupByNameAndType("mirrorRepository",
                    MirrorRepository.class);
            MockEndpoint changes = bundle.camelContext().getEndpoint("mock:changes", MockEndpoint.class);
            assertThat(api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60)).path("state").asText())
                    .isEqualTo("completed");
            long mirrored = mirror.count(MirrorKind.RECORDS, "people", false);
            // a tenth of the records at once: more like a mistake or a token that lost scope than a normal night
            List<String> gone = sim.data().recordIds("people").subList(100, 140);
            gone.forEach(id -> sim.data().deleteRecord("people", id));
            bundle.awaitChangesRelayed();
            changes.reset();

            String runId = api.trigger("people");
            JsonNode held = api.awaitFinished(runId, Duration.ofSeconds(60));

            assertThat(held.path("state").asText()).isEqualTo("deletions_held");
            assertThat(held.path("deletions_held").asLong()).isEqualTo(40);
            assertThat(held.path("deleted").asLong()).isZero();
            assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(mirrored);
            bundle.awaitChangesRelayed();
            assertThat(changes.getReceivedCounter()).isZero();

            // Vert.x reads ":confirm" as a path parameter: near misses must not confirm anything
            for (String nearMiss : List.of("/deletionsfoo", "/deletions:confirmx", "/deletions", "/deletions:")) {
                HttpResponse<String> r = api.post("/api/sync/runs/" + runId + nearMiss);
                assertThat(r.statusCode()).as(nearMiss).isEqualTo(404);
            }
            assertThat(api.run(runId).path("state").asText()).isEqualTo("deletions_held");
            assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(mirrored);

            HttpResponse<String> confirmed = api.post("/api/sync/runs/" + runId + "/deletions:confirm");

            assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
            JsonNode after = SyncApi.json(confirmed.body());
            assertThat(after.path("state").asText()).isEqualTo("completed");
            assertThat(after.path("deleted").asLong()).isEqualTo(40);
            assertThat(after.path("confirmed").asLong()).isEqualTo(40);
            assertThat(after.path("deletions_held").asLong()).isZero();
            assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(mirrored - 40);
            bundle.awaitChangesRelayed();
            assertThat(changes.getReceivedExchanges()).extracting(e -> SyncApi.json(e.getMessage().getBody(String.class)))
                    .allSatisfy(m -> assertThat(m.path("event_type").asText()).isEqualTo("record.deleted"))
                    .extracting(m -> m.path("record_id").asText()).containsExactlyInAnyOrderElementsOf(gone);
            assertThat(api.post("/api/sync/runs/" + runId + "/deletions:confirm").statusCode()).isEqualTo(409);
            assertThat(api.post("/api/sync/runs/no-such-run/deletions:confirm").statusCode()).isEqualTo(404);
        }
    }
}

package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.mirror.MirrorRow;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance: records deleted in Attio while a run pages shift later rows past offsets already read, and ties in
 * created_at make each page request order them its own way. Only records really gone are ever tombstoned.
 */
class FullSyncDeletionSafetyTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void recordsDeletedWhileARunPagesAreTheOnlyOnesTombstonedEvenWithTiesInCreatedAt() {
        AttioSimulator sim = ATTIO.simulator();
        // an import into Attio: three people at a time share one created_at
        sim.data().seedPeople(3000, 3);
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

            List<String> ids = sim.data().recordIds("people");
            int people = ids.size();
            Set<String> doomed = Set.of(ids.get(40), ids.get(700), ids.get(1300), ids.get(2100), ids.get(2900));
            FaultRule midRun = sim.faults().add(FaultRule.when(r -> r.path().equals("/v2/objects/people/records/query")
                            && r.bodyLong("offset", 0) == 1000)
                    .changeData(() -> doomed.forEach(id -> sim.data().deleteRecord("people", id))).times(1));
            bundle.awaitChangesRelayed();
            changes.reset();

            JsonNode second = api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60));

            assertThat(midRun.fired()).isEqualTo(1);
            Set<String> live = new HashSet<>(sim.data().recordIds("people"));
            bundle.awaitChangesRelayed();
            List<String> deletedNow = deletedMessages(changes);
            assertThat(live.size()).isEqualTo(people - 5);
            assertThat(second.path("state").asText()).isEqualTo("completed");
            assertThat(tombstones(mirror)).as("tombstoned although still in Attio").doesNotContainAnyElementsOf(live);
            assertThat(deletedNow).as("record.deleted published for a live record")
                    .doesNotContainAnyElementsOf(live).isSubsetOf(doomed);
            assertThat(second.path("deleted").asLong()).isEqualTo(second.path("confirmed").asLong())
                    .isEqualTo(deletedNow.size());
            assertThat(second.path("candidates").asLong())
                    .isGreaterThanOrEqualTo(second.path("confirmed").asLong() + second.path("unconfirmed").asLong());
            assertThat(second.path("unconfirmed").asLong()).isZero();
            assertThat(second.path("deletions_held").asLong()).isZero();

            // a record paged before it was deleted is seen by the next run
            bundle.awaitChangesRelayed();
            changes.reset();
            JsonNode third = api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60));

            assertThat(third.path("state").asText()).isEqualTo("completed");
            assertThat(tombstones(mirror)).containsAll(doomed).doesNotContainAnyElementsOf(live);
            // each record.deleted once, over both runs (a change message's body is a stream: read once)
            bundle.awaitChangesRelayed();
            List<String> deletedLater = deletedMessages(changes);
            assertThat(java.util.stream.Stream.concat(deletedNow.stream(), deletedLater.stream()).toList())
                    .containsExactlyInAnyOrderElementsOf(doomed);
        }
    }

    private static Set<String> tombstones(MirrorRepository mirror) {
        return mirror.page(MirrorKind.RECORDS, "people", 100_000, 0).stream().filter(MirrorRow::deleted)
                .map(MirrorRow::id).collect(Collectors.toSet());
    }

    private static List<String> deletedMessages(MockEndpoint changes) {
        return changes.getReceivedExchanges().stream()
                .map(e -> SyncApi.json(e.getMessage().getBody(String.class)))
                .filter(m -> "record.deleted".equals(m.path("event_type").asText()))
                .map(m -> m.path("record_id").asText()).toList();
    }
}

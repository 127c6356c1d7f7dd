package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Acceptance: a run left behind by a dead process is resumed on the next start; the Quartz schedule fires runs. */
@BothStores
class FullSyncResumeAndScheduleTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void aRunLeftMidwayByADeadProcessResumesAtItsFirstPageNotDone() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(2345 - sim.data().count("people"));
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("attio.sync.stale-after", "PT0S")
                .start()) {
            SyncApi api = new SyncApi(bundle);
            assertThat(api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60)).path("state").asText())
                    .isEqualTo("completed");
            bundle.stop();

            // what a process killed after two committed pages leaves behind: an active run at pages=2 whose first
            // 1,000 rows carry its stamp, the rest still the previous run's; plus a record gone from Attio since
            String crashed = leaveCrashedRunAtPageTwo(bundle, sim.data().recordIds("people").subList(0, 1000));
            String goneLater = sim.data().recordIds("people").get(2200);
            sim.data().deleteRecord("people", goneLater);
            sim.clearRequests();

            bundle.start();
            JsonNode resumed = new SyncApi(bundle).awaitFinished(crashed, Duration.ofSeconds(60));

            assertThat(resumed.path("state").asText()).isEqualTo("completed");
            assertThat(resumed.path("resumes").asInt()).isEqualTo(1);
            assertThat(resumed.path("pages").asInt()).isEqualTo(5);
            assertThat(resumed.path("records").asInt()).isEqualTo(2344);
            assertThat(resumed.path("deleted").asInt()).isEqualTo(1);
            List<Long> offsets = sim.requests().stream().filter(r -> r.path().endsWith("/records/query"))
                    .map(r -> r.bodyLong("offset", -1)).toList();
            assertThat(offsets).doesNotContain(0L, 500L).contains(1000L, 1500L, 2000L);
            MirrorRepository mirror = bundle.camelContext().getRegistry()
                    .lookupByNameAndType("mirrorRepository", MirrorRepository.class);
            assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(2344);
        }
    }

    private static String leaveCrashedRunAtPageTwo(RunningBundle bundle, List<String> seenIds) throws Exception {
        try (AttioStore store = bundle.openStore(2)) {
            SyncRunRepository runs = new SyncRunRepository(store.dataSource());
            Instant longAgo = Instant.now().minus(Duration.ofMinutes(10));
            SyncRunRepository.Claim claim = runs.claim(MirrorKind.RECORDS, "people", 500, 2345, "schedule", longAgo);
            for (int page = 0; page < 2; page++) {
                runs.pageDone(claim.runId(), page, 500, 0, 0, 500, longAgo);
            }
            // stamped as the dead process's page commits did: unchanged rows, seen by this run
            new MirrorRepository(store.dataSource())
                    .writeSyncPage(MirrorKind.RECORDS, "people", claim.runId(), List.of(), List.of(), seenIds);
            assertThat(runs.find(claim.runId())).get().extracting(SyncRun::pages).isEqualTo(2);
            return claim.runId();
        }
    }

    @Test
    void theScheduleStartsOneRunPerConfiguredObjectAndList() {
        AttioSimulator sim = ATTIO.simulator();
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.cron", "0/1 * * * * ?")
                .property("attio.sync.objects", "companies, deals")
                .property("attio.sync.lists", "sales")
                .start()) {
            MirrorRepository mirror = bundle.camelContext().getRegistry()
                    .lookupByNameAndType("mirrorRepository", MirrorRepository.class);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(mirror.count(MirrorKind.RECORDS, "companies", false)).isEqualTo(sim.data().count("companies"));
                assertThat(mirror.count(MirrorKind.RECORDS, "deals", false)).isEqualTo(sim.data().count("deals"));
                assertThat(mirror.count(MirrorKind.ENTRIES, "sales", false)).isEqualTo(sim.data().entryCount("sales"));
            });
            assertThat(sim.requests()).map(RecordedRequest::path).doesNotContain("/v2/objects/people/records/query");
        }
    }
}

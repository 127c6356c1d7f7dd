package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;

/** Acceptance: failed runs delete nothing, one run per target at a time, the schedule, the API's answers. */
class FullSyncRunControlTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private RunningBundle bundle;
    private SyncApi api;
    private MirrorRepository mirror;

    @BeforeEach
    void start() {
        AttioSimulator sim = ATTIO.simulator();
        if (sim.data().count("people") < 2000) {
            sim.data().seedPeople(2345 - sim.data().count("people"));
        }
        bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                // a failing page should fail the run in milliseconds, not after the production back-off
                .property("attio.retry.initial-delay-millis", "5")
                .property("attio.retry.max-redeliveries", "1")
                // ... and once the outage wait is spent: a page failing for longer than the bound fails its run
                .property("attio.outage.max-redeliveries", "2")
                .property("attio.outage.initial-delay-millis", "5")
                .start();
        api = new SyncApi(bundle);
        mirror = bundle.camelContext().getRegistry().lookupByNameAndType("mirrorRepository", MirrorRepository.class);
    }

    @AfterEach
    void stop() {
        bundle.close();
    }

    @Test
    void aRunFailingOnPageThreeDeletesNothingAndReportsFailedThenTheNextCompletes() {
        AttioSimulator sim = ATTIO.simulator();
        assertThat(api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60)).path("state").asText())
                .isEqualTo("completed");
        long mirrored = mirror.count(MirrorKind.RECORDS, "people", false);
        List<String> ids = sim.data().recordIds("people");
        for (String id : ids.subList(10, 13)) {
            sim.data().deleteRecord("people", id);
        }
        FaultRule pageThree = sim.faults().add(FaultRule.when(r -> r.path().equals("/v2/objects/people/records/query")
                && r.bodyLong("offset", 0) == 1000).respond(500));

        JsonNode failed = api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60));

        assertThat(failed.path("state").asText()).isEqualTo("failed");
        assertThat(failed.path("error").asText()).isNotBlank();
        assertThat(failed.path("deleted").asInt()).isZero();
        assertThat(failed.path("finished_at").isNull()).isFalse();
        assertThat(pageThree.fired()).isPositive();
        assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(mirrored);

        sim.faults().clear();
        JsonNode next = api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60));

        assertThat(next.path("state").asText()).isEqualTo("completed");
        assertThat(next.path("deleted").asInt()).isEqualTo(3);
        assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(mirrored - 3);
    }

    @Test
    void twoTriggersAtOnceForOneObjectMakeOneRun() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.setLatency(Duration.ofMillis(150));
        CyclicBarrier together = new CyclicBarrier(2);
        CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(() -> triggerAfter(together));
        CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(() -> triggerAfter(together));

        JsonNode first = SyncApi.json(a.get().body());
        JsonNode second = SyncApi.json(b.get().body());

        assertThat(a.get().statusCode()).isEqualTo(202);
        assertThat(b.get().statusCode()).isEqualTo(202);
        assertThat(first.path("run_id").asText()).isEqualTo(second.path("run_id").asText());
        assertThat(List.of(first.path("joined").asBoolean(), second.path("joined").asBoolean()))
                .containsExactlyInAnyOrder(true, false);
        JsonNode run = api.awaitFinished(first.path("run_id").asText(), Duration.ofSeconds(60));
        assertThat(run.path("state").asText()).isEqualTo("completed");
        List<RecordedRequest> firstPages = sim.requests().stream()
                .filter(r -> r.path().endsWith("/records/query") && r.bodyLong("offset", -1) == 0).toList();
        assertThat(firstPages).hasSize(1);
    }

    private HttpResponse<String> triggerAfter(CyclicBarrier together) {
        try {
            together.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return api.post("/api/sync/people");
    }

    @Test
    void aListIsSyncedByItsEntries() {
        JsonNode run = api.awaitFinished(SyncApi.json(api.post("/api/sync/lists/sales").body()).path("run_id").asText(),
                Duration.ofSeconds(30));

        assertThat(run.path("state").asText()).isEqualTo("completed");
        assertThat(run.path("list").asText()).isEqualTo("sales");
        assertThat(run.path("created").asInt()).isEqualTo(ATTIO.simulator().data().entryCount("sales"));
        assertThat(mirror.count(MirrorKind.ENTRIES, "sales", false)).isEqualTo(ATTIO.simulator().data().entryCount("sales"));
    }

    @Test
    void badSlugsAreRefusedAndUnknownRunsAreNotFound() {
        HttpResponse<String> bad = api.post("/api/sync/peo%20ple");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(SyncApi.json(bad.body()).path("fields").has("object")).isTrue();

        HttpResponse<String> unknown = api.get("/api/sync/runs/no-such-run");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(SyncApi.json(unknown.body()).path("error").asText()).isEqualTo("not_found");
    }
}

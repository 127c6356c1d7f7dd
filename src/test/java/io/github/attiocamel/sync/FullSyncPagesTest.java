package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.store.WorkRepository;
import io.github.attiocamel.store.WorkStatus;
import io.github.attiocamel.store.WorkTracker;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.SynchronizationAdapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance: a run is one exchange per page (stream caching on), runs at once are bounded by
 * attio.sync.concurrent-runs, and a run interrupted by a stop continues from its last page done after the restart.
 */
@BothStores
class FullSyncPagesTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static AttioSimulator seeded() {
        AttioSimulator sim = ATTIO.simulator();
        if (sim.data().count("people") < 2345) {
            sim.data().seedPeople(2345 - sim.data().count("people"));
        }
        return sim;
    }

    @Test
    void everyPageIsAnExchangeOfItsOwnWhoseStreamsAreReleasedWhenThePageIsDone() {
        AttioSimulator sim = seeded();
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false").start()) {
            PageUnitsOfWork pages = new PageUnitsOfWork();
            bundle.camelContext().getManagementStrategy().addEventNotifier(pages);
            SyncApi api = new SyncApi(bundle);

            JsonNode run = api.awaitFinished(api.trigger("people"), Duration.ofSeconds(60));

            assertThat(run.path("state").asText()).isEqualTo("completed");
            assertThat(run.path("pages").asInt()).isEqualTo(5);
            assertThat(bundle.camelContext().getRoute("attio-full-sync-page").isStreamCaching())
                    .as("an exchange per page no longer needs stream caching switched off").isTrue();
            // five pages and the exchange that finds none left
            await().atMost(Duration.ofSeconds(5)).until(() -> pages.events().stream()
                    .filter(e -> e.startsWith("released")).count() == 6);
            List<String> events = pages.events();
            // each page is read by an exchange of its own, and the first is done (its rows, values and streams
            // released) while later pages are still being read, not when the run ends
            assertThat(events).filteredOn(e -> e.startsWith("page")).hasSize(6);
            assertThat(events.indexOf("released 0")).isLessThan(events.indexOf("page 4"));
            assertThat(pages.handOffs()).as("the first page, 4 hand-ons, and the exchange of the deletion pass")
                    .isEqualTo(6);
            assertThat(pages.propertiesByPage()).as("a page exchange inherits no properties from the pages before it")
                    .hasSize(6).containsOnly(pages.propertiesByPage().get(0));
        }
    }

    /**
     * The units of work of the exchanges that read a page (one per page, the whole run's once), in the order they
     * were first seen and released; and the exchanges handed to the page route.
     */
    private static final class PageUnitsOfWork extends EventNotifierSupport {
        private final Map<UnitOfWork, Integer> seen = new IdentityHashMap<>();
        private final List<String> events = new CopyOnWriteArrayList<>();
        private final AtomicInteger handOffs = new AtomicInteger();
        private final List<Integer> propertiesByPage = new CopyOnWriteArrayList<>();

        @Override
        public void notify(CamelEvent event) {
            if (!(event instanceof CamelEvent.ExchangeSendingEvent sending)) {
                return;
            }
            String uri = sending.getEndpoint().getEndpointUri();
            if (uri.startsWith("seda://attio-full-sync-page")) {
                handOffs.incrementAndGet();
            } else if (uri.startsWith("direct://attio-full-sync-next-page")) {
                UnitOfWork uow = sending.getExchange().getUnitOfWork();
                synchronized (seen) {
                    if (uow == null || seen.containsKey(uow)) {
                        return;
                    }
                    int page = seen.size();
                    seen.put(uow, page);
                    events.add("page " + page);
                    propertiesByPage.add(sending.getExchange().getProperties().size());
                    uow.addSynchronization(new SynchronizationAdapter() {
                        @Override
                        public void onDone(Exchange exchange) {
                            events.add("released " + page);
                        }
                    });
                }
            }
        }

        List<String> events() {
            return List.copyOf(events);
        }

        int handOffs() {
            return handOffs.get();
        }

        List<Integer> propertiesByPage() {
            return List.copyOf(propertiesByPage);
        }
    }

    @Test
    void noMoreRunsAtOnceThanConcurrentRunsAndEveryTargetCompletes() {
        AttioSimulator sim = seeded();
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("attio.sync.concurrent-runs", "1")
                .start()) {
            sim.setLatency(Duration.ofMillis(30));
            SyncApi api = new SyncApi(bundle);
            List<String> runIds = List.of(api.trigger("people"), api.trigger("companies"), api.trigger("deals"),
                    SyncApi.json(api.post("/api/sync/lists/sales").body()).path("run_id").asText());
            WorkRepository work = bundle.camelContext().getRegistry()
                    .lookupByNameAndType("workTracker", WorkTracker.class).repository();
            AtomicInteger mostRunning = new AtomicInteger();

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() -> {
                List<WorkStatus> states = runIds.stream().map(id -> work.find(id).orElseThrow()).toList();
                int running = (int) states.stream().filter(w -> WorkStatus.RUNNING.equals(w.state())).count();
                mostRunning.accumulateAndGet(running, Math::max);
                return states.stream().noneMatch(WorkStatus::active);
            });

            assertThat(mostRunning.get()).isEqualTo(1);
            assertThat(runIds).allSatisfy(id -> assertThat(api.run(id).path("state").asText()).isEqualTo("completed"));
        }
    }

    @Test
    void aRunInterruptedByAStopContinuesFromItsLastPageDoneAfterTheRestart() throws Exception {
        AttioSimulator sim = seeded();
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("attio.sync.parallel-pages", "1")
                .start()) {
            sim.setLatency(Duration.ofMillis(400));
            SyncApi api = new SyncApi(bundle);
            String runId = api.trigger("people");
            await().atMost(Duration.ofSeconds(30)).until(() -> api.run(runId).path("pages").asInt() >= 2);

            bundle.stop();

            SyncRun stopped = stoppedRun(bundle, runId);
            assertThat(stopped.state()).as("a stop leaves the run active").isEqualTo(SyncRun.RUNNING);
            assertThat(stopped.work().holder()).as("released, not left to go stale").isNull();
            int pagesDone = stopped.pages();
            assertThat(pagesDone).isBetween(2, 4);
            sim.setLatency(Duration.ZERO);
            sim.clearRequests();

            bundle.start();
            JsonNode resumed = new SyncApi(bundle).awaitFinished(runId, Duration.ofSeconds(60));

            assertThat(resumed.path("state").asText()).isEqualTo("completed");
            assertThat(resumed.path("resumes").asInt()).isEqualTo(1);
            assertThat(resumed.path("pages").asInt()).isEqualTo(5);
            assertThat(resumed.path("records").asInt()).isEqualTo(2345);
            assertThat(resumed.path("created").asLong() + resumed.path("updated").asLong()
                    + resumed.path("unchanged").asLong()).as("each page counted once").isEqualTo(2345);
            List<Long> offsets = sim.requests().stream().filter(r -> r.path().endsWith("/people/records/query"))
                    .map(r -> r.bodyLong("offset", -1)).toList();
            assertThat(offsets).as("no page done before the stop is read again").allMatch(o -> o >= pagesDone * 500L)
                    .contains(pagesDone * 500L);
            MirrorRepository restarted = bundle.camelContext().getRegistry()
                    .lookupByNameAndType("mirrorRepository", MirrorRepository.class);
            assertThat(restarted.count(MirrorKind.RECORDS, "people", false)).isEqualTo(2345);
        }
    }

    private static SyncRun stoppedRun(RunningBundle bundle, String runId) {
        try (AttioStore store = bundle.openStore(2)) {
            return new SyncRunRepository(store.dataSource()).find(runId).orElseThrow();
        }
    }
}

package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance: a full sync rides out a short outage (503s and connection resets, the breaker open) and continues at
 * the page it was on, and a run of parallel pages started while the breaker is half-open completes.
 */
class FullSyncOutageTest {

    private static final int PEOPLE = 1234;

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static AttioSimulator seeded() {
        AttioSimulator sim = ATTIO.simulator();
        if (sim.data().count("people") < PEOPLE) {
            sim.data().seedPeople(PEOPLE - sim.data().count("people"));
        }
        return sim;
    }

    /** Attio down while the switch is on: every other request reset, the rest answered 503. */
    private static AtomicBoolean outage(AttioSimulator sim) {
        AtomicBoolean down = new AtomicBoolean();
        AtomicInteger n = new AtomicInteger();
        sim.faults().add(FaultRule.when(r -> down.get() && n.incrementAndGet() % 2 == 0).resetConnection());
        sim.faults().add(FaultRule.when(r -> down.get()).respond(503));
        return down;
    }

    @Test
    void aRunWaitsOutATwentySecondOutageAndContinuesWhereItWas() {
        AttioSimulator sim = seeded();
        sim.faults().clear();
        AtomicBoolean down = outage(sim);
        // queries slow enough that the outage begins with most pages still to read
        sim.faults().add(FaultRule.on("POST", ".*/query").latency(Duration.ofMillis(300)));
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("attio.sync.page-size", "50")
                .property("attio.sync.parallel-pages", "2")
                .property("attio.breaker.wait-duration-in-open-state", "3")
                .start()) {
            SyncApi api = new SyncApi(bundle);
            AttioGateway gateway = bundle.camelContext().getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class);
            sim.clearRequests();
            String runId = api.trigger("people");
            await().atMost(Duration.ofSeconds(30)).until(() -> api.run(runId).path("pages").asInt() >= 2);

            down.set(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> "OPEN".equals(gateway.circuitBreakerState()));
            // 20 s down: the run neither fails nor finishes meanwhile
            await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(25))
                    .until(() -> "running".equals(api.run(runId).path("state").asText()));
            down.set(false);

            JsonNode run = api.awaitFinished(runId, Duration.ofSeconds(120));
            assertThat(run.path("state").asText()).as(run.toString()).isEqualTo("completed");
            int pages = (PEOPLE + 49) / 50;
            assertThat(run.path("pages").asInt()).isEqualTo(pages);
            MirrorRepository mirror = bundle.camelContext().getRegistry().lookupByNameAndType("mirrorRepository",
                    MirrorRepository.class);
            assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(PEOPLE);
            // every page was read once successfully: none skipped, none read twice after the outage
            List<RecordedRequest> answered = sim.requests().stream()
                    .filter(r -> r.path().endsWith("/people/records/query") && r.status() == 200).toList();
            Map<Long, Long> byOffset = answered.stream().collect(Collectors.groupingBy(r -> r.bodyLong("offset", -1),
                    Collectors.counting()));
            for (int i = 0; i < pages; i++) {
                assertThat(byOffset).containsEntry(i * 50L, 1L);
            }
            assertThat(byOffset.values()).as("a page past the end is read at most once too").containsOnly(1L);
            assertThat(sim.requests()).as("no writes to Attio").noneMatch(r -> r.kind() == RecordedRequest.Kind.WRITE);
        } finally {
            sim.faults().clear();
        }
    }

    @Test
    void eightParallelPagesStartedWhileTheBreakerIsHalfOpenCompleteWithoutBeingTurnedAway() {
        AttioSimulator sim = seeded();
        sim.faults().clear();
        AtomicBoolean down = outage(sim);
        sim.faults().add(FaultRule.on("POST", ".*/query").latency(Duration.ofMillis(200)));
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("attio.sync.page-size", "50")
                .property("attio.sync.parallel-pages", "8")
                .property("attio.breaker.minimum-number-of-calls", "2")
                .property("attio.breaker.sliding-window-size", "2")
                .property("attio.breaker.wait-duration-in-open-state", "2")
                .property("attio.retry.max-redeliveries", "0")
                .start()) {
            SyncApi api = new SyncApi(bundle);
            AttioGateway gateway = bundle.camelContext().getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class);
            down.set(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try {
                    gateway.objects();
                } catch (RuntimeException expected) {
                    // Attio is down
                }
                return "OPEN".equals(gateway.circuitBreakerState());
            });
            down.set(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> "HALF_OPEN".equals(gateway.circuitBreakerState()));
            PageRetries retries = new PageRetries();
            bundle.camelContext().getManagementStrategy().addEventNotifier(retries);
            sim.clearRequests();

            String runId = api.trigger("people");

            JsonNode run = api.awaitFinished(runId, Duration.ofSeconds(60));
            assertThat(run.path("state").asText()).as(run.toString()).isEqualTo("completed");
            assertThat(run.path("pages").asInt()).isEqualTo((PEOPLE + 49) / 50);
            assertThat(retries.count()).as("no page was refused as if Attio were still down").hasValue(0);
            assertThat(gateway.circuitBreakerState()).isEqualTo("CLOSED");
        } finally {
            sim.faults().clear();
        }
    }

    /** Redeliveries of the sync's page exchanges: each one a page the gateway answered "unavailable". */
    private static final class PageRetries extends EventNotifierSupport {
        private final AtomicInteger count = new AtomicInteger();

        AtomicInteger count() {
            return count;
        }

        @Override
        public void notify(CamelEvent event) {
            if (event instanceof CamelEvent.ExchangeRedeliveryEvent e
                    && "attio-full-sync-page".equals(e.getExchange().getFromRouteId())) {
                count.incrementAndGet();
            }
        }
    }
}

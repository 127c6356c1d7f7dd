package io.github.attiocamel.mirror;

import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How fast the relay drains a backlog such as a first sync leaves (20,000 messages in the outbox) to an endpoint
 * that costs nothing (a log endpoint below its level): the relay's own ceiling. Median of 3 runs on a fresh bundle.
 * Run: <pre>mvn test -Dgroups=benchmark -DexcludedGroups= -Dtest=ChangeRelayBenchmarkTest</pre>
 * (add -Dattio.test.postgres.required=true and the postgresql execution for PostgreSQL).
 */
@Tag("benchmark")
class ChangeRelayBenchmarkTest {

    private static final int MESSAGES = 20_000;

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void drainsABacklogOfTwentyThousandMessages() {
        List<Double> rates = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            try (RunningBundle bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                    .property("attio.sync.schedule-enabled", "false")
                    .property("attio.changes.uri", "log:attio.changes.benchmark?level=TRACE").start()) {
                ChangeOutbox outbox = bundle.camelContext().getRegistry().lookupByNameAndType("changeOutbox",
                        ChangeOutbox.class);
                List<Map<String, Object>> changes = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    changes.add(ChangeMessage.of("full-sync", "record.created", "people", "r" + i,
                            Map.of("name", List.of(Map.of("full_name", "Person " + i))), Instant.now()));
                }
                long started = System.nanoTime();
                outbox.append(changes);
                bundle.awaitChangesRelayed();
                double seconds = (System.nanoTime() - started) / 1e9;
                rates.add(MESSAGES / seconds);
                System.out.printf("[benchmark] change relay: %,d messages appended and relayed in %.2f s (%,.0f/s)%n",
                        MESSAGES, seconds, MESSAGES / seconds);
                assertThat(outbox.backlog().size()).isZero();
            }
        }
        rates.sort(Double::compare);
        System.out.printf("[benchmark] change relay median: %,.0f messages/s%n", rates.get(1));
    }
}

package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contacts upserted per second through POST /api/contacts:batch against the in-process simulator, at the default
 * write budget and with the budget lifted, with the process CPU time per contact (bundle + simulator + test client,
 * so an upper bound of the bundle's own overhead). Median of 3 runs. Figures are printed, not asserted:
 * {@code mvn test -Dgroups=benchmark -DexcludedGroups= -Dtest=ContactsBenchmarkTest}
 */
@Tag("benchmark")
class ContactsBenchmarkTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = SimulatorExtension.forBenchmarks();

    @Test
    void contactsPerSecondAtTheDefaultBudgetAndWithTheBudgetLifted() {
        String atBudget = measure("default budget (25 writes/s)", false, 250);
        ATTIO.simulator().setRateLimits(0, 0);
        String lifted = measure("budget lifted (no throttle, simulator unlimited)", true, 1000);
        System.out.println("[benchmark] " + atBudget);
        System.out.println("[benchmark] " + lifted);
    }

    private String measure(String label, boolean lifted, int contacts) {
        RunningBundle bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey());
        if (lifted) {
            // the budget keys refuse values above Attio's limits (and the gateway derives its throttle keys from
            // them), so the lifted run boots a copy of the routes whose gateway throttles allow 10000 per slice
            bundle.routesDir(liftedRoutes()).property("attio.contacts.batch.pace-millis", "0")
                    .property("attio.contacts.batch.concurrency", "16");
        }
        bundle.start();
        try {
            ContactsHttp api = new ContactsHttp(bundle);
            api.post("/api/contacts", "{\"email\":\"warm-up@gmail.com\"}");
            List<Double> rates = new ArrayList<>();
            List<Double> cpuMicros = new ArrayList<>();
            for (int run = 0; run < 3; run++) {
                String body = ContactsBatchTest.ndjson("bench-" + lifted + "-" + run + "-", contacts);
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                ContactsHttp.Answer accepted = api.post("/api/contacts:batch", body);
                assertThat(accepted.status()).isEqualTo(202);
                JsonNode done = awaitJob(api, accepted.json().path("job_id").asText());
                long wall = System.nanoTime() - t0;
                long cpu = processCpuNanos() - cpu0;
                assertThat(done.path("done").asInt()).isEqualTo(contacts);
                rates.add(contacts / (wall / 1e9));
                cpuMicros.add(cpu / 1e3 / contacts);
            }
            return String.format("%s: %d contacts x 3 runs, median %.1f contacts/s (runs %s), median CPU %.0f us/contact "
                    + "(runs %s), %d cores", label, contacts, median(rates), format(rates), median(cpuMicros),
                    format(cpuMicros), Runtime.getRuntime().availableProcessors());
        } finally {
            bundle.close();
        }
    }

    private static java.nio.file.Path liftedRoutes() {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("attio-lifted-routes-");
            try (var files = java.nio.file.Files.list(java.nio.file.Path.of("routes"))) {
                for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                    String yaml = java.nio.file.Files.readString(f)
                            .replace("{{attio.gateway.read-permits}}", "10000")
                            .replace("{{attio.gateway.write-permits}}", "10000");
                    java.nio.file.Files.writeString(dir.resolve(f.getFileName()), yaml);
                }
            }
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode awaitJob(ContactsHttp api, String jobId) {
        java.util.concurrent.atomic.AtomicReference<JsonNode> last = new java.util.concurrent.atomic.AtomicReference<>();
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode s = api.get("/api/jobs/" + jobId).json();
            last.set(s);
            return s.path("state").asText().equals("COMPLETED") || s.path("state").asText().equals("FAILED");
        });
        return last.get();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String format(List<Double> values) {
        return values.stream().map(v -> String.format("%.1f", v)).toList().toString();
    }
}

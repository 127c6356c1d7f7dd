package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Figures for the simulator itself: seeding 100,000 people and reading them back in 500-record pages, eight at a
 * time with 200 ms latency (the sync benchmark's setting). Run with
 * {@code mvn test -Dgroups=benchmark -DexcludedGroups= -Dtest=SimulatorBenchmarkTest}.
 */
@Tag("benchmark")
class SimulatorBenchmarkTest {

    @Test
    void seedAndPageAHundredThousandPeople() throws Exception {
        ObjectMapper json = new ObjectMapper();
        HttpClient http = HttpClient.newHttpClient();
        try (AttioSimulator sim = AttioSimulator.start(0)) {
            sim.setRateLimits(0, 0);
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long seedStart = System.nanoTime();
            long seedCpuStart = threads.getCurrentThreadCpuTime();
            int total = sim.data().seedPeople(100_000);
            long seedMillis = (System.nanoTime() - seedStart) / 1_000_000;
            long seedCpuMillis = (threads.getCurrentThreadCpuTime() - seedCpuStart) / 1_000_000;

            sim.setLatency(Duration.ofMillis(200));
            long pageStart = System.nanoTime();
            int fetched = 0;
            int pages = 0;
            for (int offset = 0; offset < total; offset += 8 * 500) {
                List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String body = "{\"sorts\":[{\"attribute\":\"created_at\",\"direction\":\"asc\"}],\"limit\":500,\"offset\":"
                            + (offset + i * 500) + "}";
                    batch.add(http.sendAsync(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v2/objects/people/records/query"))
                            .header("Authorization", "Bearer " + sim.apiKey()).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> page : batch) {
                    fetched += json.readTree(page.join().body()).path("data").size();
                    pages++;
                }
            }
            long pageMillis = (System.nanoTime() - pageStart) / 1_000_000;
            System.out.printf("simulator: seeded %d people in %d ms (%d ms CPU); read %d records in %d pages (8 concurrent, 200 ms latency) "
                    + "in %d ms; violations %d%n", total, seedMillis, seedCpuMillis, fetched, pages, pageMillis, sim.violations().size());
            assertThat(fetched).isEqualTo(total);
            assertThat(sim.violations()).isEmpty();
        }
    }
}

package io.github.attiocamel.webhook;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.github.attiocamel.webhook.SharedStoreInstances.deliver;
import static io.github.attiocamel.webhook.SharedStoreInstances.fetchedTwice;
import static io.github.attiocamel.webhook.SharedStoreInstances.fetches;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhook deliveries processed per second end to end with 1, 2 and 3 bundle processes on one fresh PostgreSQL
 * database each, Attio (the simulator) answering in 50-200 ms per call: {@value #DELIVERIES} signed deliveries of
 * distinct records posted round-robin over the instances, timed from the first post to the last record's arrival in
 * the mirror ({@code mirror_record.synced_at}). Prints each run, the medians and the scaling factors (2/1, 3/1), with
 * the machine's CPU use during the window and the busiest second of record reads. Run:
 * {@code mvn -B -o -q surefire:test -Dgroups=benchmark -DexcludedGroups= -Dtest=WebhookScalingBenchmarkTest}
 * ({@code -Dbench.runs=N} rounds of 1, 2, 3 instances, default 3; {@code -Dbench.env.<VAR>=<value>} sets an
 * environment variable of every bundle, e.g. {@code -Dbench.env.ATTIO_WEBHOOK_BATCH_SIZE=100}).
 */
@Tag("benchmark")
class WebhookScalingBenchmarkTest {

    /** At one instance (one fetch at a time, 125 ms on average) this is more than 20 s of work. */
    static final int DELIVERIES = 240;
    static final Duration LATENCY_MIN = Duration.ofMillis(50);
    static final Duration LATENCY_MAX = Duration.ofMillis(200);

    @RegisterExtension
    static final SimulatorExtension ATTIO = SimulatorExtension.forBenchmarks();

    @Test
    void deliveriesPerSecondWithOneTwoAndThreeInstances() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        int runs = Integer.getInteger("bench.runs", 3);
        double[][] rates = new double[3][runs];
        for (int run = 0; run < runs; run++) {
            for (int n = 1; n <= 3; n++) {
                Result r = measure(sim, n);
                rates[n - 1][run] = r.perSecond;
                System.out.printf("[benchmark] run %d, %d instance(s): %d deliveries in %.1f s = %.1f/s; machine CPU "
                                + "%.0f%% busy of %d cores; bundles' CPU %.1f ms per delivery; busiest second %d record "
                                + "reads%n", run + 1, n, DELIVERIES, r.seconds, r.perSecond, r.machineBusyPercent,
                        Runtime.getRuntime().availableProcessors(), r.bundleCpuMillisPerDelivery, r.busiestReadSecond);
            }
        }
        double one = median(rates[0]);
        double two = median(rates[1]);
        double three = median(rates[2]);
        System.out.printf("[benchmark] median of %d runs: 1 instance %.1f/s, 2 instances %.1f/s, 3 instances %.1f/s; "
                + "scaling 2/1 = %.2f, 3/1 = %.2f (simulator latency %d-%d ms per call)%n", runs, one, two, three,
                two / one, three / one, LATENCY_MIN.toMillis(), LATENCY_MAX.toMillis());
    }

    record Result(double seconds, double perSecond, double machineBusyPercent, double bundleCpuMillisPerDelivery,
                  int busiestReadSecond) {}

    private static Result measure(AttioSimulator sim, int instances) throws Exception {
        List<String> ids = WebhookScaleOutTest.seed(sim, DELIVERIES);
        try (SharedStoreInstances shared = SharedStoreInstances.start(sim, "scaling_" + instances, instances,
                WebhookScalingBenchmarkTest::configure)) {
            sim.clearRequests();
            sim.setLatency(LATENCY_MIN, LATENCY_MAX);
            long[] cpuBefore = machineCpu();
            long bundleCpuBefore = bundleCpuNanos(shared.all());
            Instant first = Instant.now();
            assertThat(deliver(sim, shared.all(), ids)).hasSize(DELIVERIES).containsOnly(200);
            Map<String, Long> mostHeld = new HashMap<>();
            Map<String, Instant> lastHeld = new HashMap<>();
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Instant now = Instant.now();
                shared.claimsPerHolder().forEach((holder, claims) -> {
                    mostHeld.merge(holder, claims, Math::max);
                    lastHeld.put(holder, now);
                });
                return shared.mirrored(ids) == DELIVERIES;
            });
            long[] cpuAfter = machineCpu();
            long bundleCpu = bundleCpuNanos(shared.all()) - bundleCpuBefore;
            Instant last = shared.lastMirrored(ids);
            List<RecordedRequest> fetches = fetches(sim, ids);
            Map<String, Long> twice = fetchedTwice(fetches);
            assertThat(twice.size()).as("records fetched more than once, e.g. %s", WebhookScaleOutTest.first(twice, 5))
                    .isZero();
            assertThat(shared.inboxStates()).isEqualTo(Map.of("done", (long) DELIVERIES));
            double seconds = Duration.between(first, last).toNanos() / 1e9;
            // how evenly the work was spread: the most claims each instance held at once, and when it last held any
            System.out.printf("[benchmark] %d instance(s): most claims held at once %s; last held at %s s%n", instances,
                    mostHeld.values().stream().sorted().toList(), lastHeld.values().stream().sorted()
                            .map(t -> String.format("%.1f", Duration.between(first, t).toMillis() / 1000.0)).toList());
            double busy = 100.0 * (cpuAfter[0] - cpuBefore[0]) / Math.max(1, cpuAfter[1] - cpuBefore[1]);
            return new Result(seconds, DELIVERIES / seconds, busy, bundleCpu / 1e6 / DELIVERIES,
                    sim.maxInAnyWindow(RecordedRequest.Kind.READ, Duration.ofSeconds(1)));
        } finally {
            sim.setLatency(null);
        }
    }

    private static void configure(BundleProcess bundle) {
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.env."))
                .forEach(k -> bundle.env(k.substring("bench.env.".length()), System.getProperty(k)));
    }

    /** Busy and total jiffies of all cores since boot (/proc/stat); busy excludes idle and iowait. */
    private static long[] machineCpu() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < fields.length && i <= 8; i++) {
            total += Long.parseLong(fields[i]);
        }
        long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
        return new long[] {total - idle, total};
    }

    private static long bundleCpuNanos(List<BundleProcess> bundles) {
        return bundles.stream().mapToLong(b -> ProcessHandle.of(b.pid()).flatMap(h -> h.info().totalCpuDuration())
                .map(Duration::toNanos).orElse(0L)).sum();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}

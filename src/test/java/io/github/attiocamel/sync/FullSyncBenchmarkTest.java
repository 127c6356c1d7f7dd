package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Full sync of 100,000 people into an empty mirror, end to end (POST /api/sync/people until GET reports completed),
 * against the simulator with Attio's 100 reads/s: 200 ms per query page, parallel (default 8) and sequential
 * (parallel-pages=1), and with no latency (the bundle's own ceiling). Medians of 3 runs, each on a fresh bundle and an
 * empty mirror.
 *
 * <p>The bundle runs in its own JVM ({@code Application}, heap {@code -Xmx256m} unless -Dbenchmark.xmx=...), so
 * its heap is measured apart from the simulator, which holds 100,000 people in this JVM. Peak heap used is the largest
 * "before" figure of the bundle's GC log. Run:
 * <pre>mvn test -Dgroups=benchmark -DexcludedGroups= -Dtest=FullSyncBenchmarkTest</pre>
 */
@Tag("benchmark")
class FullSyncBenchmarkTest {

    private static final int PEOPLE = 100_000;
    private static final int ROUNDS = Integer.getInteger("benchmark.rounds", 3);
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private long peakHeapMb;

    @Test
    void fullSyncOfOneHundredThousandPeople() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(PEOPLE - sim.data().count("people"));
        String xmx = System.getProperty("benchmark.xmx", "256m");

        // -Dbenchmark.scenarios=parallel,sequential,zero (default all) narrows a profiling session to one
        List<String> scenarios = List.of(System.getProperty("benchmark.scenarios", "parallel,sequential,zero").split(","));
        List<String> report = new ArrayList<>();
        if (scenarios.contains("parallel")) {
            report.add(measure(sim, xmx, 8, Duration.ofMillis(200), "parallel-pages=8, 200 ms/page"));
        }
        if (scenarios.contains("sequential")) {
            report.add(measure(sim, xmx, 1, Duration.ofMillis(200), "parallel-pages=1, 200 ms/page (sequential)"));
        }
        if (scenarios.contains("zero")) {
            report.add(measure(sim, xmx, 8, Duration.ZERO, "parallel-pages=8, 0 ms/page"));
        }
        report.add("bundle JVM -Xmx" + xmx + ", peak heap used over all runs: " + peakHeapMb + " MB");
        System.out.println("\n[benchmark] full sync, " + PEOPLE + " people, 100 reads/s, "
                + Runtime.getRuntime().availableProcessors() + " cores\n  " + String.join("\n  ", report) + "\n");
    }

    private String measure(AttioSimulator sim, String xmx, int parallel, Duration latency, String label)
            throws Exception {
        List<Double> seconds = new ArrayList<>();
        List<Long> peaks = new ArrayList<>();
        sim.setLatency(latency);
        for (int round = 0; round < ROUNDS; round++) {
            Path dir = Files.createTempDirectory("attio-bench-");
            Path gcLog = dir.resolve("gc.log");
            int http = freePort();
            Process bundle = startBundle(sim, xmx, parallel, dir, gcLog, http);
            try {
                SyncClient api = new SyncClient("http://127.0.0.1:" + http);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .until(() -> api.status("/api/ping") == 200);
                long start = System.nanoTime();
                String runId = SyncApi.json(api.post("/api/sync/people").body()).path("run_id").asText();
                JsonNode[] run = new JsonNode[1];
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    run[0] = SyncApi.json(api.get("/api/sync/runs/" + runId).body());
                    return !"running".equals(run[0].path("state").asText());
                });
                seconds.add((System.nanoTime() - start) / 1e9);
                assertThat(run[0].path("state").asText()).isEqualTo("completed");
                assertThat(run[0].path("created").asInt()).isEqualTo(PEOPLE);
            } finally {
                bundle.destroy();
                if (!bundle.waitFor(60, TimeUnit.SECONDS)) {
                    bundle.destroyForcibly();
                }
            }
            peaks.add(peakBeforeGcMb(gcLog));
        }
        sim.setLatency(null);
        peakHeapMb = Math.max(peakHeapMb, peaks.stream().mapToLong(Long::longValue).max().orElse(0));
        List<Double> sorted = seconds.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        return String.format(Locale.ROOT, "%-44s median %6.2f s  %,7.0f records/s  runs %s  peak heap MB %s", label,
                median, PEOPLE / median, seconds.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList(),
                peaks);
    }

    private static Process startBundle(AttioSimulator sim, String xmx, int parallel, Path dir, Path gcLog, int http)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + xmx, "-Xlog:gc:file=" + gcLog));
        // e.g. -Dbenchmark.jvm-args=-XX:StartFlightRecording=filename=/tmp/sync.jfr to profile the bundle
        String extra = System.getProperty("benchmark.jvm-args", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")), "io.github.attiocamel.Application"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.put("ATTIO_BASE_URL", sim.baseUrl());
        env.put("ATTIO_API_KEY", sim.apiKey());
        env.put("ATTIO_WEBHOOK_SECRET", "benchmark-secret");
        env.put("BUNDLE_API_TOKEN", SyncClient.TOKEN);
        env.put("HTTP_PORT", String.valueOf(http));
        env.put("MANAGEMENT_PORT", String.valueOf(freePort()));
        env.put("ATTIO_DATA_DIR", dir.toString());
        env.put("CONFIG_DIR", dir.resolve("no-config").toString());
        env.put("ATTIO_SYNC_PARALLEL_PAGES", String.valueOf(parallel));
        env.put("ATTIO_SYNC_SCHEDULE_ENABLED", "false");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("bundle.log").toFile());
        return pb.start();
    }

    private static long peakBeforeGcMb(Path gcLog) throws IOException {
        long peak = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_LINE.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)));
            }
        }
        return peak;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The sync API of the bundle process. */
    private record SyncClient(String base) {
        static final String TOKEN = "benchmark-token";
        private static final HttpClient HTTP = HttpClient.newHttpClient();

        int status(String path) {
            try {
                return get(path).statusCode();
            } catch (RuntimeException e) {
                return -1;
            }
        }

        HttpResponse<String> get(String path) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN)
                    .GET().build());
        }

        HttpResponse<String> post(String path) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
        }

        private static HttpResponse<String> send(HttpRequest request) {
            try {
                return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}

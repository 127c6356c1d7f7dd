package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Full sync of 100,000 people into an empty mirror, end to end (POST /api/sync/people until GET reports completed),
 * against the simulator with Attio's 100 reads/s: 200 ms per query page, parallel (default 8) and sequential
 * (parallel-pages=1), and with no latency (the bundle's own ceiling). Medians of 3 runs, each on a fresh bundle and an
 * empty mirror. First, the floor under all of them: the simulator serving the same pages, at the same read budget, to
 * a client that only counts bytes. Last, runs in a bundle JVM that has already synced once (JIT-compiled, as a
 * long-running bundle is at its nightly sync): every person changed, then nothing changed.
 *
 * <p>The bundle runs in its own JVM ({@code Application}, heap {@code -Xmx256m} unless -Dbenchmark.xmx=...), so
 * its heap is measured apart from the simulator, which holds 100,000 people in this JVM. Peak heap used is the largest
 * "before" figure of the bundle's GC log. Each run also prints the CPU seconds the bundle and this JVM (the simulator)
 * spent during it: on a machine with few cores they compete for the same ones. Every bundle scenario runs on H2 and
 * then on PostgreSQL (a fresh database on the test server, whose server processes' CPU is printed third). Run:
 * <pre>mvn test -Dgroups=benchmark -DexcludedGroups= -Dtest=FullSyncBenchmarkTest</pre>
 */
@Tag("benchmark")
class FullSyncBenchmarkTest {

    private static final int PEOPLE = 100_000;
    private static final int ROUNDS = Integer.getInteger("benchmark.rounds", 3);
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @RegisterExtension
    static final SimulatorExtension ATTIO = SimulatorExtension.forBenchmarks();

    private long peakHeapMb;
    /** The store of the bundle runs being measured: h2 (under the run's data directory) or postgresql (a fresh database). */
    private String store = "h2";

    @Test
    void fullSyncOfOneHundredThousandPeople() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(PEOPLE - sim.data().count("people"));
        String xmx = System.getProperty("benchmark.xmx", "256m");

        // -Dbenchmark.scenarios=simulator,parallel,sequential,zero,warm (default all) narrows a session to some
        List<String> scenarios = List.of(System.getProperty("benchmark.scenarios",
                "simulator,parallel,sequential,zero,warm").split(","));
        List<String> report = new ArrayList<>();
        if (scenarios.contains("simulator")) {
            report.add(simulatorAlone(sim));
        }
        // -Dbenchmark.stores=h2,postgresql (default both): every bundle scenario once per store
        for (String name : System.getProperty("benchmark.stores", "h2,postgresql").split(",")) {
            store = name.trim();
            if (scenarios.contains("parallel")) {
                report.add(measure(sim, xmx, 8, Duration.ofMillis(200), "parallel-pages=8, 200 ms/page"));
            }
            if (scenarios.contains("sequential")) {
                report.add(measure(sim, xmx, 1, Duration.ofMillis(200), "parallel-pages=1, 200 ms/page (sequential)"));
            }
            if (scenarios.contains("zero")) {
                report.add(measure(sim, xmx, 8, Duration.ZERO, "parallel-pages=8, 0 ms/page"));
            }
            if (scenarios.contains("warm")) {
                // a bundle that has been running (the nightly case): its JIT has compiled the sync's code paths
                report.addAll(measure(sim, xmx, 8, Duration.ZERO, List.of(
                        new Phase("0 ms/page, first run of the JVM (warm-up)", () -> {}, "created"),
                        new Phase("0 ms/page, warm JVM, all changed", changeEveryone(sim), "updated"),
                        new Phase("0 ms/page, warm JVM, nothing changed", () -> {}, "unchanged"))));
            }
        }
        report.add("bundle JVM -Xmx" + xmx + ", peak heap used over all runs: " + peakHeapMb + " MB");
        System.out.println("\n[benchmark] full sync, " + PEOPLE + " people, 100 reads/s, "
                + Runtime.getRuntime().availableProcessors() + " cores\n  " + String.join("\n  ", report) + "\n");
    }

    /** One timed run in a bundle: what changes in the simulator first, and the outcome every record must then have. */
    private record Phase(String label, Runnable before, String outcome) {}

    private String measure(AttioSimulator sim, String xmx, int parallel, Duration latency, String label)
            throws Exception {
        return measure(sim, xmx, parallel, latency, List.of(new Phase(label, () -> {}, "created"))).get(0);
    }

    /** Rounds of: a fresh bundle JVM and empty mirror, then the phases in order in that JVM; a line per phase. */
    private List<String> measure(AttioSimulator sim, String xmx, int parallel, Duration latency, List<Phase> phases)
            throws Exception {
        List<List<Double>> seconds = new ArrayList<>();
        List<List<String>> cpu = new ArrayList<>();
        phases.forEach(p -> {
            seconds.add(new ArrayList<>());
            cpu.add(new ArrayList<>());
        });
        List<Long> peaks = new ArrayList<>();
        sim.setLatency(latency);
        for (int round = 0; round < ROUNDS; round++) {
            Path dir = Files.createTempDirectory("attio-bench-");
            Path gcLog = dir.resolve("gc.log");
            int http = freePort();
            TestPostgres db = "postgresql".equals(store) ? TestPostgres.freshDatabase("benchmark") : null;
            Process bundle = startBundle(sim, xmx, parallel, dir, gcLog, http, db);
            try {
                SyncClient api = new SyncClient("http://127.0.0.1:" + http);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .until(() -> api.status("/api/ping") == 200);
                for (int p = 0; p < phases.size(); p++) {
                    Phase phase = phases.get(p);
                    phase.before().run();
                    long start = System.nanoTime();
                    long hereCpuAtStart = processCpuNanos();
                    long bundleCpuAtStart = cpuNanos(bundle);
                    long postgresCpuAtStart = db == null ? 0 : postgresCpuNanos();
                    String runId = SyncApi.json(api.post("/api/sync/people").body()).path("run_id").asText();
                    JsonNode[] run = new JsonNode[1];
                    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                        run[0] = SyncApi.json(api.get("/api/sync/runs/" + runId).body());
                        return !"running".equals(run[0].path("state").asText());
                    });
                    seconds.get(p).add((System.nanoTime() - start) / 1e9);
                    // both JVMs share the machine's cores: the CPU each spent says who the wall time went to
                    cpu.get(p).add(String.format(Locale.ROOT, "%.1f/%.1f", (cpuNanos(bundle) - bundleCpuAtStart) / 1e9,
                            (processCpuNanos() - hereCpuAtStart) / 1e9) + (db == null ? "" : String.format(Locale.ROOT,
                            "/%.1f", (postgresCpuNanos() - postgresCpuAtStart) / 1e9)));
                    // each round as it ends, so a later failure does not take the figures measured so far with it
                    System.out.printf(Locale.ROOT, "[benchmark] [%s] %s: %.2f s, CPU s bundle/simulator%s %s, %s%n",
                            store, phase.label(), seconds.get(p).get(round), db == null ? "" : "/postgres",
                            cpu.get(p).get(round), run[0]);
                    assertThat(run[0].path("state").asText()).as("%s%n%s", run[0], tail(dir.resolve("bundle.log")))
                            .isEqualTo("completed");
                    assertThat(run[0].path(phase.outcome()).asInt()).as(phase.label()).isEqualTo(PEOPLE);
                }
            } finally {
                bundle.destroy();
                if (!bundle.waitFor(60, TimeUnit.SECONDS)) {
                    bundle.destroyForcibly();
                }
            }
            if (db != null) {
                db.close();
            }
            peaks.add(peakBeforeGcMb(gcLog));
            deleteTree(dir); // a 100k mirror is ~450 MB on disk
        }
        sim.setLatency(null);
        peakHeapMb = Math.max(peakHeapMb, peaks.stream().mapToLong(Long::longValue).max().orElse(0));
        List<String> lines = new ArrayList<>();
        for (int p = 0; p < phases.size(); p++) {
            List<Double> sorted = seconds.get(p).stream().sorted().toList();
            double median = sorted.get(sorted.size() / 2);
            lines.add(String.format(Locale.ROOT, "%-12s %-44s median %6.2f s  %,7.0f records/s  runs %s  peak heap MB %s"
                            + "  CPU s bundle/simulator%s %s", "[" + store + "]", phases.get(p).label(), median,
                    PEOPLE / median,
                    seconds.get(p).stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList(), peaks,
                    "postgresql".equals(store) ? "/postgres" : "", cpu.get(p)));
        }
        return lines;
    }

    /** The bundle's last log lines, which say why a run failed. */
    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A new job title for every person, so the next run finds all of them changed. */
    private static Runnable changeEveryone(AttioSimulator sim) {
        AtomicInteger version = new AtomicInteger();
        return () -> {
            String title = "Engineer v" + version.incrementAndGet();
            for (String id : sim.data().recordIds("people")) {
                sim.data().updateRecord("people", id, JsonNodeFactory.instance.objectNode()
                        .set("job_title", JsonNodeFactory.instance.arrayNode().add(title)));
            }
        };
    }

    private static long cpuNanos(Process process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /**
     * CPU of every PostgreSQL server process on this machine (the local test server: its backends do the bundle's
     * store work), from /proc; 0 where /proc is not readable.
     */
    private static long postgresCpuNanos() {
        long ticks = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (!Files.readString(proc.resolve("comm")).startsWith("postgres")) {
                        continue;
                    }
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                } catch (IOException | RuntimeException gone) {
                    // a backend that ended meanwhile: its CPU is lost to the figure, as with any sampling
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    }

    /** CPU of this JVM: the simulator (serving every page) and the polling client. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * The floor under every bundle figure: the same query pages fetched by a bare HTTP client that only counts the
     * bytes, paced under the simulator's 100 reads/s (one request every 11 ms, as many in flight as that allows), so
     * all the CPU is the simulator's own, which the bundle has to share the machine's cores with.
     */
    private String simulatorAlone(AttioSimulator sim) throws Exception {
        sim.setLatency(Duration.ZERO);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int pages = PEOPLE / 500 + 1;
        List<Double> seconds = new ArrayList<>();
        List<String> cpu = new ArrayList<>();
        long bytes = 0;
        ScheduledExecutorService pacer = Executors.newScheduledThreadPool(8);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                long start = System.nanoTime();
                long cpuAtStart = processCpuNanos();
                List<Future<Long>> sizes = new ArrayList<>();
                for (int page = 0; page < pages; page++) {
                    String query = "{\"sorts\":[{\"direction\":\"asc\",\"attribute\":\"created_at\"}],\"limit\":500,"
                            + "\"offset\":" + page * 500 + "}";
                    HttpRequest request = HttpRequest.newBuilder(URI.create(sim.baseUrl()
                                    + "/v2/objects/people/records/query"))
                            .header("Authorization", "Bearer " + sim.apiKey())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(query)).build();
                    sizes.add(pacer.schedule(() -> {
                        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        assertThat(response.statusCode()).isEqualTo(200);
                        return (long) response.body().length;
                    }, page * 11L, TimeUnit.MILLISECONDS));
                }
                bytes = 0;
                for (Future<Long> size : sizes) {
                    bytes += size.get(5, TimeUnit.MINUTES);
                }
                seconds.add((System.nanoTime() - start) / 1e9);
                cpu.add(String.format(Locale.ROOT, "%.1f", (processCpuNanos() - cpuAtStart) / 1e9));
            }
        } finally {
            pacer.shutdownNow();
            sim.setLatency(null);
        }
        List<Double> sorted = seconds.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        return String.format(Locale.ROOT, "%-44s median %6.2f s  %,7.0f records/s  runs %s  %,d MB of JSON"
                        + "  CPU s simulator+client %s", "simulator alone, <= 100 reads/s, 0 ms/page", median,
                PEOPLE / median, seconds.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList(),
                bytes >> 20, cpu);
    }

    private static Process startBundle(AttioSimulator sim, String xmx, int parallel, Path dir, Path gcLog, int http,
                                       TestPostgres db) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + xmx, "-Xlog:gc:file=" + gcLog));
        // e.g. -Dbenchmark.jvm-args=-XX:StartFlightRecording=filename=/tmp/sync.jfr to profile the bundle
        String extra = System.getProperty("benchmark.jvm-args", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        // the shipped log configuration (INFO, a line per change), not the test one this classpath would pick
        command.add("-Dlog4j2.configurationFile=" + Path.of("target/classes/log4j2.properties").toAbsolutePath());
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
        if (db != null) {
            env.put("ATTIO_STORE_JDBC_URL", db.jdbcUrl());
            env.put("ATTIO_STORE_USER", db.user());
            env.put("ATTIO_STORE_PASSWORD", "");
        }
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

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The sync API of the bundle process. */
    private record SyncClient(String base) {
        static final String TOKEN = "benchmark-token";
        private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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

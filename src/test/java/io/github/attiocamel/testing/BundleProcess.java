package io.github.attiocamel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The bundle as a JVM of its own ({@code io.github.attiocamel.Application}, the jar's entry point, on the test's
 * class path), configured only through environment variables as a container would be, so a test can kill it with
 * {@link #kill()} ({@code Process.destroyForcibly}, SIGKILL: no shutdown hook, no H2 close) and {@link #start()} it
 * again on the same data directory and ports. Its output goes to {@code bundle-<n>.log} in the data directory.
 */
public final class BundleProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Path dataDir;
    private final int httpPort;
    private final int managementPort;
    private Process process;
    private int starts;

    private BundleProcess(String attioBaseUrl, String attioApiKey, Path dataDir) {
        this.dataDir = dataDir;
        this.httpPort = freePort();
        this.managementPort = freePort();
        env("ATTIO_BASE_URL", attioBaseUrl);
        env("ATTIO_API_KEY", attioApiKey);
        env("ATTIO_WEBHOOK_SECRET", RunningBundle.WEBHOOK_SECRET);
        env("BUNDLE_API_TOKEN", RunningBundle.API_TOKEN);
        env("ATTIO_DATA_DIR", dataDir.toString());
        env("HTTP_PORT", String.valueOf(httpPort));
        env("MANAGEMENT_PORT", String.valueOf(managementPort));
        env("CONFIG_DIR", dataDir.resolve("no-external-config").toString());
        env("ATTIO_STORE_JDBC_URL", "");
    }

    /** A bundle process against this Attio, with a fresh data directory. */
    public static BundleProcess against(String attioBaseUrl, String attioApiKey) {
        try {
            return new BundleProcess(attioBaseUrl, attioApiKey, Files.createTempDirectory("attio-process-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JVM option of the next {@link #start()}, after the defaults (so {@code -Xmx128m} overrides the 256 MB heap). */
    public BundleProcess jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    /** Sets an environment variable of the next {@link #start()} (null removes it). */
    public BundleProcess env(String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return this;
    }

    /** The store of the next {@link #start()}: this PostgreSQL database, which other processes may share. */
    public BundleProcess sharing(TestPostgres db) {
        return env("ATTIO_STORE_JDBC_URL", db.jdbcUrl()).env("ATTIO_STORE_USER", db.user()).env("ATTIO_STORE_PASSWORD", "");
    }

    /**
     * Work of this process counts as abandoned after {@code staleAfter} of silence, and it heartbeats and looks for
     * abandoned work every second, so takeover tests see it within seconds rather than the production defaults.
     */
    public BundleProcess quickTakeover(java.time.Duration staleAfter) {
        return env("ATTIO_WORK_STALE_AFTER", staleAfter.toString()).env("ATTIO_WORK_HEARTBEAT_PERIOD", "1000")
                .env("ATTIO_WORK_RESUME_CHECK_PERIOD", "1000");
    }

    /** Starts the JVM and returns once its management port answers health (routes started). */
    public BundleProcess start() {
        Process started = launch();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!started.isAlive()) {
                throw new IllegalStateException("bundle exited with " + started.exitValue() + ":\n" + logTail());
            }
            return health(Duration.ofSeconds(2)) == 200;
        });
        return this;
    }

    /** Starts the JVM for a run that is expected to end by itself (a refused start-up); its exit code. */
    public int runToExit(Duration timeout) throws InterruptedException {
        Process started = launch();
        if (!started.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            kill();
            throw new IllegalStateException("bundle still running after " + timeout + ":\n" + logTail());
        }
        return started.exitValue();
    }

    private Process launch() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.github.attiocamel.Application"));
        // the data directory as working directory: the project's own routes/ there would be loaded a second time
        ProcessBuilder builder = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("bundle-" + (++starts) + ".log").toFile());
        // the developer's own ATTIO_* settings must never reach a test bundle
        builder.environment().keySet().removeIf(k -> k.startsWith("ATTIO_") || k.startsWith("BUNDLE_")
                || k.equals("CONFIG_DIR") || k.equals("ROUTES_DIR") || k.equals("HTTP_PORT")
                || k.equals("MANAGEMENT_PORT"));
        builder.environment().putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return process;
    }

    /** SIGKILL: the process dies at this instant, nothing of it runs any more (no shutdown hook, no store close). */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The operating system's id of the running (or last) JVM; part of its holder name in the store. */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("not started");
        }
        return process.pid();
    }

    /** The health endpoint's status, or -1 when it gave no answer within the timeout. */
    public int health(Duration timeout) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/observe/health")).timeout(timeout)
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public int httpPort() {
        return httpPort;
    }

    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The output of the latest start. */
    public Path log() {
        return dataDir.resolve("bundle-" + starts + ".log");
    }

    /** GET on the bundle's API with its bearer token; the answer's body, or null unless 200. */
    public String apiGet(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl() + path))
                .header("Authorization", "Bearer " + RunningBundle.API_TOKEN).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : null;
    }

    /** POST on the bundle's API with its bearer token and a JSON body; the answer. */
    public HttpResponse<String> apiPost(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl() + path))
                .header("Authorization", "Bearer " + RunningBundle.API_TOKEN).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
        if (Boolean.getBoolean("attio.test.keep-data")) {
            System.out.println("[bundle-process] data and logs kept in " + dataDir);
            return;
        }
        try (var paths = Files.walk(dataDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp directory: the OS cleans up what we could not
        }
    }

    /** The last lines of the latest start's output (for a failure message). */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

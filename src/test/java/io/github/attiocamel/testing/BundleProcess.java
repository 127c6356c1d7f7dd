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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bundle as its own JVM ({@code io.github.attiocamel.Application}, as {@code java -jar} starts it, on the test
 * class path), configured through the environment only, with JVM options of the test's choosing (a small heap and
 * {@code -XX:+ExitOnOutOfMemoryError}, as the Dockerfile runs it): what a test needs when the process itself may die.
 */
public final class BundleProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Path dataDir;
    private final Path log;
    private final int httpPort;
    private final int managementPort;
    private Process process;

    private BundleProcess(String attioBaseUrl, String attioApiKey) {
        try {
            dataDir = Files.createTempDirectory("attio-process-");
            Files.createDirectories(dataDir.resolve("no-external-config"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log = dataDir.resolve("bundle.log");
        httpPort = freePort();
        managementPort = freePort();
        env.put("ATTIO_BASE_URL", attioBaseUrl);
        env.put("ATTIO_API_KEY", attioApiKey);
        env.put("ATTIO_WEBHOOK_SECRET", RunningBundle.WEBHOOK_SECRET);
        env.put("BUNDLE_API_TOKEN", RunningBundle.API_TOKEN);
        env.put("ATTIO_DATA_DIR", dataDir.resolve("data").toString());
        env.put("HTTP_PORT", String.valueOf(httpPort));
        env.put("MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("CONFIG_DIR", dataDir.resolve("no-external-config").toString());
        env.put("ATTIO_STORE_JDBC_URL", "");
        // the repository's routes as files: scanning classpath:routes/ through surefire's manifest-only class path
        // finds every route twice in a child JVM
        env.put("ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
    }

    public static BundleProcess against(String attioBaseUrl, String attioApiKey) {
        return new BundleProcess(attioBaseUrl, attioApiKey);
    }

    public BundleProcess jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    /** An environment variable of the process (attio.* keys by Camel's rule: attio.a.b-c <- ATTIO_A_B_C). */
    public BundleProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Starts the JVM and returns once its health endpoint answers 200. */
    public BundleProcess start(Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.github.attiocamel.Application");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("ATTIO_") || k.equals("BUNDLE_API_TOKEN"));
        builder.environment().putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("bundle exited with " + process.exitValue() + ":\n" + logTail());
            }
            if (health(Duration.ofSeconds(1)) == 200) {
                return this;
            }
            try {
                process.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("bundle not healthy within " + timeout + ":\n" + logTail());
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

    public boolean isAlive() {
        return process != null && process.isAlive();
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

    /** The last lines the process wrote, for a failing assertion's message. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var paths = Files.walk(dataDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp directory: the OS cleans up what we could not
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

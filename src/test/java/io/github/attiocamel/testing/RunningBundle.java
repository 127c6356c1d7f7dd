package io.github.attiocamel.testing;


import io.github.attiocamel.Bundle;
import io.github.attiocamel.config.Profile;
import io.github.attiocamel.mirror.ChangeOutbox;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.store.AttioStore;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The real bundle, booted in-process as {@code java -jar} would boot it (same {@link Bundle} assembly, packed YAML
 * routes, configuration classes from the packed application.properties), on free ports with a temporary data
 * directory. {@link #stop()} then {@link #start()} restarts on the same data directory (durability tests).
 *
 * <pre>
 * try (AttioSimulator sim = AttioSimulator.start(0);
 *      RunningBundle bundle = RunningBundle.against(sim).start()) {
 *     HttpResponse&lt;String&gt; r = http.send(bundle.post("/webhooks/attio") ...);
 * }
 * </pre>
 */
public final class RunningBundle implements AutoCloseable {

    public static final String WEBHOOK_SECRET = "test-webhook-secret";
    public static final String API_TOKEN = "test-api-token";

    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, Object> beans = new LinkedHashMap<>();
    private final Path dataDir;
    private final int httpPort;
    private final int managementPort;
    private Profile profile = Profile.DEVELOPMENT;
    private String routesDir;
    private Path configDir;
    private Main main;
    private TestStores.Database database;

    private RunningBundle(String baseUrl, String apiKey) {
        try {
            this.dataDir = Files.createTempDirectory("attio-bundle-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.httpPort = freePort();
        this.managementPort = freePort();
        property("attio.base-url", baseUrl);
        property("attio.api-key", apiKey);
        property("attio.webhook-secret", WEBHOOK_SECRET);
        property("attio.api-token", API_TOKEN);
        property("attio.data-dir", dataDir.toString());
        property("attio.http-port", String.valueOf(httpPort));
        property("attio.management-port", String.valueOf(managementPort));
        // an ATTIO_STORE_JDBC_URL on the developer's machine must never point a test at a real database; empty is
        // H2 under the data directory, or in the PostgreSQL half a fresh database of this bundle's (at start)
        property("attio.store.jdbc-url", "");
    }

    /** A bundle whose gateway talks to the given simulator. */
    public static RunningBundle against(AttioSimulator simulator) {
        return new RunningBundle(simulator.baseUrl(), simulator.apiKey());
    }

    /** A bundle whose gateway talks to the given Attio (usually {@code sim.baseUrl(), sim.apiKey()}). */
    public static RunningBundle against(String attioBaseUrl, String attioApiKey) {
        return new RunningBundle(attioBaseUrl, attioApiKey);
    }

    /** Overrides any key (files and environment included); call before {@link #start()}. Null value = unset. */
    public RunningBundle property(String key, String value) {
        properties.put(key, value == null ? "" : value);
        return this;
    }

    /** Binds a bean before the configuration classes run (a trace test's in-memory span exporter); before {@link #start()}. */
    public RunningBundle bean(String name, Object bean) {
        beans.put(name, bean);
        return this;
    }

    public RunningBundle profile(Profile profile) {
        this.profile = profile;
        return this;
    }

    /** Load routes from this directory instead of the packed ones (as ROUTES_DIR does). */
    public RunningBundle routesDir(Path dir) {
        this.routesDir = dir.toString();
        return this;
    }

    /** An external config directory, as CONFIG_DIR; by default none, so only the packed files apply. */
    public RunningBundle configDir(Path dir) {
        this.configDir = dir;
        return this;
    }

    /** Boots (or reboots, same data directory and ports) and returns once routes are started. */
    public RunningBundle start() {
        if (main != null) {
            throw new IllegalStateException("already running");
        }
        if (database == null && TestStores.postgresql() && properties.get("attio.store.jdbc-url").isEmpty()) {
            try {
                database = TestStores.freshDatabase("bundle");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            property("attio.store.jdbc-url", database.jdbcUrl());
            property("attio.store.user", database.user());
            property("attio.store.password", "");
        }
        Bundle bundle = new Bundle().profile(profile)
                .configDir(configDir != null ? configDir : dataDir.resolve("no-external-config"))
                .routesDir(routesDir);
        properties.forEach(bundle::override);
        Main m = bundle.build();
        beans.forEach(m::bind);
        try {
            m.start();
        } catch (Exception e) {
            stopQuietly(m);
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        main = m;
        return this;
    }

    /** Stops Camel (and closes the store) but keeps the data directory for a later {@link #start()}. */
    public void stop() {
        if (main != null) {
            Main m = main;
            main = null;
            stopQuietly(m);
        }
    }

    public CamelContext camelContext() {
        if (main == null) {
            throw new IllegalStateException("not running");
        }
        return main.getCamelContext();
    }

    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public String apiToken() {
        return properties.get("attio.api-token");
    }

    public String webhookSecret() {
        return properties.get("attio.webhook-secret");
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * The bundle's store opened beside it (after {@link #stop()} on embedded H2, which one process owns), for tests
     * that read or plant rows: the H2 file under the data directory, or the bundle's PostgreSQL database.
     */
    public AttioStore openStore(int maxPoolSize) {
        String url = properties.get("attio.store.jdbc-url");
        return url.isEmpty() ? new AttioStore(AttioStore.h2FileUrl(dataDir.toString()), "sa", "", maxPoolSize)
                : new AttioStore(url, properties.getOrDefault("attio.store.user", "sa"),
                properties.getOrDefault("attio.store.password", ""), maxPoolSize);
    }

    /**
     * Waits until the change feed's relay has sent every message of the outbox: the flows only write them there, so
     * a test counts what an endpoint received once this returns.
     */
    public void awaitChangesRelayed() {
        ChangeOutbox outbox = camelContext().getRegistry().lookupByNameAndType("changeOutbox", ChangeOutbox.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> outbox.backlog().size() == 0);
    }

    /** The one number a query of the bundle's store answers (a COUNT), with its parameters bound in order. */
    public long queryLong(String query, Object... args) {
        javax.sql.DataSource ds = camelContext().getRegistry().lookupByNameAndType("dataSource", javax.sql.DataSource.class);
        try (java.sql.Connection c = ds.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(query)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot query the bundle's store: " + query, e);
        }
    }

    /** Every webhook delivery processed, and every change message it caused relayed. */
    public void awaitInboxDrained() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> queryLong("SELECT COUNT(*) FROM webhook_inbox WHERE state <> 'done'") == 0);
        awaitChangesRelayed();
    }

    /** The sum of a metric's series on {@code /observe/metrics} (Prometheus text), 0 when it has none yet. */
    public double metric(String name) {
        try {
            // HTTP/1.1: the JDK client's h2c upgrade sometimes misreads vert.x's long answer as HTTP/2 frames
            // ("Frame type(44) ... exceeds MAX_FRAME_SIZE", seen in CI)
            String text = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .build().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(managementUrl() + "/observe/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
        deleteTree(dataDir);
        if (database != null) {
            try {
                database.close();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot drop the bundle's test database", e);
            }
        }
    }

    private static void stopQuietly(Main m) {
        try {
            m.stop();
        } catch (Exception ignored) {
            // best effort: a failed start leaves a partly started context behind
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp directory: the OS cleans up what we could not
        }
    }
}

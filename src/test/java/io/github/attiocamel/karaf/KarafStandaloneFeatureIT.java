package io.github.attiocamel.karaf;

import io.github.attiocamel.sandbox.AttioSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The self-contained feature in a real Apache Karaf 4.4.10 (unpacked by the karaf-it profile from the Maven
 * repository): installed with feature:repo-add / feature:install and configured only through
 * etc/io.github.attiocamel.cfg, it accepts a signed webhook and refuses a bad signature, answers health, and
 * feature:uninstall closes its ports and ends its threads, so a reinstall works. Karaf runs on free loopback
 * ports and is always shut down (and its process tree killed) at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KarafStandaloneFeatureIT {

    private static final String SECRET = "karaf-it-webhook-secret";
    private static final String FEATURE = "attio-camel-standalone";
    /** Threads our bundle starts: Camel, Vert.x/Netty, Hikari, H2, Quartz. None may survive an uninstall. */
    private static final Pattern OUR_THREADS = Pattern.compile(
            "Camel \\(|vert\\.x-|vertx-|attio-store|HikariPool|MVStore|H2-|Quartz|attio-camel_", Pattern.CASE_INSENSITIVE);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static AttioSimulator attio;
    private static Karaf karaf;
    private static int httpPort;
    private static int managementPort;

    @BeforeAll
    static void startKarafAndInstallTheFeature() throws Exception {
        String version = System.getProperty("project.version");
        Path target = Path.of(System.getProperty("project.build.directory", "target"));
        // Attio stands in as the simulator, so the attio readiness check (GET /v2/self via the gateway) is UP
        attio = AttioSimulator.start(0);
        httpPort = freePort();
        managementPort = freePort();
        karaf = Karaf.unpackFresh(Path.of(System.getProperty("karaf.dist")), target.resolve("karaf-it/run"));
        karaf.stage("io.github.attiocamel", "attio-camel", version, List.of(
                new Karaf.Artifact(target.resolve("attio-camel-" + version + "-karaf-standalone.jar"), "karaf-standalone", "jar"),
                new Karaf.Artifact(target.resolve("karaf/features-standalone.xml"), "features-standalone", "xml"),
                new Karaf.Artifact(Path.of("config/karaf/io.github.attiocamel.cfg"), "karaf", "cfg")));
        // the operator's way: etc/io.github.attiocamel.cfg before install (the feature keeps an existing one)
        karaf.writeEtc("io.github.attiocamel.cfg", String.join("\n",
                "attio.profile = development",
                "attio.api-key = " + attio.apiKey(),
                "attio.base-url = " + attio.baseUrl(),
                "attio.webhook-secret = " + SECRET,
                "attio.api-token = karaf-it-token",
                "attio.http-port = " + httpPort,
                "attio.management-port = " + managementPort,
                "attio.data-dir = ${karaf.data}/attio-camel", ""));
        karaf.start();
        karaf.shell("feature:repo-add mvn:io.github.attiocamel/attio-camel/" + version + "/xml/features-standalone",
                "feature:install " + FEATURE);
        awaitHealthAnswers();
    }

    @AfterAll
    static void stopKaraf() {
        if (karaf != null) {
            karaf.close();
        }
        if (attio != null) {
            attio.close();
        }
    }

    @Test
    @Order(1)
    void signedWebhookIsAcceptedAndBadSignatureRefused() throws Exception {
        assertThat(postWebhook(true).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = postWebhook(false);
        assertThat(refused.statusCode()).isEqualTo(401);
    }

    @Test
    @Order(2)
    void healthIsUpWithTheWebhookRouteAndAttioReachable() throws Exception {
        // readiness is legitimately DOWN until every polling consumer (the contacts file drop) has polled once
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
                last.set(get("http://127.0.0.1:" + managementPort + "/observe/health"));
                return last.get().statusCode() == 200;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("health not UP within 30 s: " + last.get().body(), e);
        }
        HttpResponse<String> health = last.get();
        assertThat(health.body()).contains("\"name\":\"route:attio-webhook-intake\",\"status\":\"UP\"")
                .contains("\"name\":\"attio\",\"status\":\"UP\"");
    }

    @Test
    @Order(3)
    void uninstallReleasesPortsAndThreadsAndReinstallWorks() throws Exception {
        assertThat(ourThreads()).as("threads while installed").isNotEmpty();
        assertThat(karaf.shell("bundle:list -t 0 -s")).contains("io.github.attiocamel.standalone");

        karaf.shell("feature:uninstall " + FEATURE);
        await().atMost(Duration.ofSeconds(30)).until(() -> !listening(httpPort) && !listening(managementPort));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(ourThreads()).as("threads left after uninstall").isEmpty());
        assertThat(karaf.shell("bundle:list -t 0 -s")).doesNotContain("io.github.attiocamel");

        karaf.shell("feature:install " + FEATURE);
        awaitHealthAnswers();
        assertThat(postWebhook(true).statusCode()).isEqualTo(200);
        assertThat(postWebhook(false).statusCode()).isEqualTo(401);
    }

    private static void awaitHealthAnswers() {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> get("http://127.0.0.1:" + managementPort + "/observe/health").statusCode() > 0
                        && listening(httpPort));
    }

    private List<String> ourThreads() {
        return karaf.shell("shell:threads --list").lines()
                .filter(line -> OUR_THREADS.matcher(line).find())
                .collect(Collectors.toList());
    }

    private static HttpResponse<String> postWebhook(boolean signedCorrectly) throws Exception {
        String body = "{\"webhook_id\":\"8e1a3d55-2f3c-4a61-9a57-6f0c2d7e9b11\",\"events\":[{\"event_type\":\"record.created\","
                + "\"id\":{\"workspace_id\":\"14beef7a-99f7-4534-a87e-70b564330a4c\",\"object_id\":\"97052eb9-e65e-443f-a297-f2d9a4a7f795\","
                + "\"record_id\":\"" + UUID.randomUUID() + "\"},\"actor\":{\"type\":\"system\",\"id\":null}}]}";
        String signature = hmac(signedCorrectly ? SECRET : SECRET + "-wrong", body);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/webhooks/attio"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Attio-Signature", signature)
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A Karaf instance in its own directory, driven through bin/client over SSH on free loopback ports. */
    static final class Karaf implements AutoCloseable {

        record Artifact(Path file, String classifier, String type) { }

        private final Path home;
        private final int sshPort;
        private Process process;

        private Karaf(Path home, int sshPort) {
            this.home = home;
            this.sshPort = sshPort;
        }

        static Karaf unpackFresh(Path dist, Path runDir) throws IOException {
            Path source;
            try (Stream<Path> children = Files.list(dist)) {
                source = children.filter(p -> p.getFileName().toString().startsWith("apache-karaf-")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no apache-karaf-* under " + dist));
            }
            deleteTree(runDir);
            copyTree(source, runDir);
            try (Stream<Path> scripts = Files.list(runDir.resolve("bin"))) {
                scripts.forEach(p -> p.toFile().setExecutable(true));
            }
            Karaf karaf = new Karaf(runDir, freePort());
            karaf.configurePorts();
            return karaf;
        }

        private void configurePorts() throws IOException {
            replace("etc/org.apache.karaf.shell.cfg", "(?m)^sshPort\\s*=.*$", "sshPort = " + sshPort);
            replace("etc/org.apache.karaf.shell.cfg", "(?m)^sshHost\\s*=.*$", "sshHost = 127.0.0.1");
            replace("etc/org.apache.karaf.management.cfg", "(?m)^rmiRegistryPort\\s*=.*$", "rmiRegistryPort = " + freePort());
            replace("etc/org.apache.karaf.management.cfg", "(?m)^rmiServerPort\\s*=.*$", "rmiServerPort = " + freePort());
            replace("etc/org.apache.karaf.management.cfg", "(?m)^rmiRegistryHost\\s*=.*$", "rmiRegistryHost = 127.0.0.1");
            replace("etc/org.apache.karaf.management.cfg", "(?m)^rmiServerHost\\s*=.*$", "rmiServerHost = 127.0.0.1");
            // a throw-away admin for this run only (the distribution ships none)
            Files.writeString(home.resolve("etc/users.properties"),
                    "karaf = karaf,_g_:admingroup\n_g_\\:admingroup = group,admin,manager,viewer,systembugger,ssh\n");
        }

        /** Puts artifacts into Karaf's system repository, where mvn: URLs resolve without any network. */
        void stage(String groupId, String artifactId, String version, List<Artifact> artifacts) throws IOException {
            Path dir = home.resolve("system").resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version);
            Files.createDirectories(dir);
            for (Artifact a : artifacts) {
                assertThat(a.file()).as("built artifact").exists();
                Files.copy(a.file(), dir.resolve(artifactId + "-" + version + "-" + a.classifier() + "." + a.type()),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }

        void writeEtc(String name, String content) throws IOException {
            Files.writeString(home.resolve("etc").resolve(name), content);
        }

        void start() throws IOException {
            ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(home.resolve("karaf-console.log").toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().put("KARAF_OPTS", "-Xmx512m");
            process = builder.start();
            // ends Karaf even when the test JVM is stopped early
            Runtime.getRuntime().addShutdownHook(new Thread(this::kill));
            // a cheap socket probe first: each bin/client is a JVM, and polling with it slows Karaf's own start-up
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
                assertThat(process.isAlive()).as("Karaf exited; see " + home.resolve("karaf-console.log")).isTrue();
                return listening(sshPort);
            });
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                    .until(() -> shell("feature:list -i").contains("Started"));
        }

        /** Runs shell commands in one SSH session (batch mode) and returns the output; fails on a Karaf error. */
        String shell(String... commands) {
            try {
                ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/client").toString(),
                        "-a", String.valueOf(sshPort), "-h", "127.0.0.1", "-u", "karaf", "-p", "karaf", "-r", "3", "-b")
                        .directory(home.toFile()).redirectErrorStream(true);
                builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
                Process client = builder.start();
                client.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
                client.getOutputStream().close();
                String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!client.waitFor(90, TimeUnit.SECONDS)) {
                    client.destroyForcibly();
                    throw new IllegalStateException("bin/client did not finish: " + String.join("; ", commands));
                }
                if (client.exitValue() != 0 || output.contains("Error executing command")) {
                    throw new IllegalStateException("Karaf refused " + String.join("; ", commands) + ":\n" + output);
                }
                return output.replaceAll("\u001B\\[[;\\d]*m", "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            if (process == null || !process.isAlive()) {
                return;
            }
            try {
                shell("system:shutdown -f");
                process.waitFor(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // fall through to the kill below
            } catch (AssertionError e) {
                // same
            }
            kill();
        }

        private void kill() {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }

        private void replace(String file, String regex, String replacement) throws IOException {
            Path path = home.resolve(file);
            String text = Files.readString(path);
            assertThat(Pattern.compile(regex).matcher(text).find()).as(file + " has " + regex).isTrue();
            Files.writeString(path, text.replaceAll(regex, replacement));
        }

        private static void copyTree(Path from, Path to) throws IOException {
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Path dest = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }

        private static void deleteTree(Path root) throws IOException {
            if (!Files.exists(root)) {
                return;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code java -jar attio-camel.jar --simulator}, the compose demo's Attio: the jar's real entry point in a JVM of its
 * own, configured by environment only, as the container runs it.
 */
class SimulatorMainTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "simulator-test-key-not-a-secret";
    private static final String WEBHOOK_SECRET = "simulator-test-webhook-secret";

    @Test
    void servesTheSeededWorkspaceOnTheConfiguredPortToTheConfiguredKeyAndDeliversItsChanges() throws Exception {
        List<JsonNode> deliveries = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/webhooks/attio", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (AttioSimulator.sign(body, WEBHOOK_SECRET).equals(exchange.getRequestHeaders().getFirst("Attio-Signature"))) {
                deliveries.add(JSON.readTree(body));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        int port = freePort();
        Path log = Files.createTempFile("attio-simulator-", ".log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "io.github.attiocamel.Application", "--simulator")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("SIMULATOR_"));
        builder.environment().putAll(Map.of(
                "SIMULATOR_PORT", String.valueOf(port),
                "SIMULATOR_API_KEY", KEY,
                "SIMULATOR_SEED_PEOPLE", "7",
                "SIMULATOR_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/attio",
                "SIMULATOR_WEBHOOK_SECRET", WEBHOOK_SECRET));
        Process process = builder.start();
        String base = "http://127.0.0.1:" + port;
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
                return status(get(base + "/v2/self", KEY)) == 200;
            });
            HttpResponse<String> self = get(base + "/v2/self", KEY);
            assertThat(JSON.readTree(self.body()).path("active").asBoolean()).as(self.body()).isTrue();
            assertThat(get(base + "/v2/self", "another-key").statusCode()).isEqualTo(401);
            assertThat(Files.readString(log)).contains("ATTIO_BASE_URL    " + base).doesNotContain(KEY);

            HttpResponse<String> people = send(HttpRequest.newBuilder(URI.create(base + "/v2/objects/people/records/query"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"limit\":500}")));
            assertThat(people.statusCode()).as(people.body()).isEqualTo(200);
            JsonNode rows = JSON.readTree(people.body()).path("data");
            assertThat(rows.size()).as("the five seed people and the seven asked for").isEqualTo(5 + 7);

            String id = rows.get(0).path("id").path("record_id").asText();
            HttpResponse<String> patch = send(HttpRequest.newBuilder(URI.create(base + "/v2/objects/people/records/" + id))
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"data\":{\"values\":{\"job_title\":[\"Demo\"]}}}")));
            assertThat(patch.statusCode()).as(patch.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !deliveries.isEmpty());
            assertThat(deliveries.get(0).path("events").get(0).path("id").path("record_id").asText()).isEqualTo(id);
        } finally {
            process.destroy();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("SIGTERM stops the simulator").isTrue();
            receiver.stop(0);
        }
        assertThat(status(get(base + "/v2/self", KEY))).as("the port is released").isEqualTo(-1);
    }

    @Test
    void aSettingItCannotUseIsOneLineAndExitCode2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(SimulatorMain.run(Map.of("SIMULATOR_PORT", "80a"), out, new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo("attio-simulator: SIMULATOR_PORT must be a whole number from 0 to 65535, not '80a'");

        err.reset();
        assertThat(SimulatorMain.run(Map.of("SIMULATOR_PORT", "0", "SIMULATOR_WEBHOOK_URL", "http://127.0.0.1:9/x"),
                out, new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("SIMULATOR_WEBHOOK_SECRET");
    }

    private static HttpResponse<String> get(String url, String key) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int status(HttpResponse<String> response) {
        return response == null ? -1 : response.statusCode();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

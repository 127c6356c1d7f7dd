package io.github.attiocamel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code --sandbox} behaves like a real workspace: a contact written through /api/contacts comes back as webhooks from
 * the simulated Attio and is in the mirror seconds later, with no sync run.
 */
class SandboxWebhooksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aContactWrittenThroughTheApiIsMirroredFromAttiosWebhooks() throws Exception {
        Path dir = Files.createTempDirectory("attio-sandbox-");
        int port = freePort();
        Bundle bundle = Sandbox.configure(new Bundle(), new PrintStream(OutputStream.nullOutputStream()))
                .configDir(dir.resolve("no-external-config"))
                .override("attio.data-dir", dir.toString())
                .override("attio.http-port", String.valueOf(port))
                .override("attio.management-port", String.valueOf(freePort()))
                .override("attio.sync.schedule-enabled", "false");
        Main main = bundle.build();
        // run() as the jar does: the sandbox's listener subscribes, prints and closes the simulator around it
        Thread runner = new Thread(() -> {
            try {
                main.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "sandbox-main");
        runner.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> main.getCamelContext() != null
                && main.getCamelContext().isStarted());
        try {
            String base = "http://127.0.0.1:" + port;
            HttpResponse<String> written = http.send(HttpRequest.newBuilder(URI.create(base + "/api/contacts"))
                    .header("Authorization", "Bearer " + Sandbox.API_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"email": "echo@acme.com", "first_name": "Echo", "last_name": "Back", "job_title": "CTO"}"""))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
            String personId = JSON.readTree(written.body()).path("person_id").asText();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/mirror/people/" + personId))
                        .header("Authorization", "Bearer " + Sandbox.API_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode values = JSON.readTree(r.body()).path("values");
                assertThat(values.path("job_title").path(0).path("value").asText()).isEqualTo("CTO");
                assertThat(values.path("name").path(0).path("full_name").asText()).isEqualTo("Echo Back");
            });
        } finally {
            main.completed();
            runner.join(Duration.ofSeconds(30).toMillis());
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

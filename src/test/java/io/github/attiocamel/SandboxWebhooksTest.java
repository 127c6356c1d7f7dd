package io.github.attiocamel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code --sandbox} behaves like a real workspace: a contact written through /api/contacts comes back as webhooks from
 * the simulated Attio and is in the mirror seconds later, with no sync run; a restart begins with a fresh store, as
 * the in-memory simulator does; the banner says how to call the simulated Attio itself.
 */
class SandboxWebhooksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTACT = """
            {"email": "echo@acme.com", "first_name": "Echo", "last_name": "Back", "job_title": "CTO"}""";

    @Test
    void aContactWrittenThroughTheApiIsMirroredFromAttiosWebhooks() throws Exception {
        try (SandboxRun sandbox = SandboxRun.start(Files.createTempDirectory("attio-sandbox-"))) {
            String personId = writeAndAwaitMirror(sandbox);
            JsonNode values = JSON.readTree(sandbox.api("GET", "/api/mirror/people/" + personId, null).body())
                    .path("values");
            assertThat(values.path("job_title").path(0).path("value").asText()).isEqualTo("CTO");
            assertThat(values.path("name").path(0).path("full_name").asText()).isEqualTo("Echo Back");
        }
    }

    @Test
    void aRestartOnTheSameDataDirBeginsWithAFreshStoreAsTheSimulatorDoes() throws Exception {
        Path dir = Files.createTempDirectory("attio-sandbox-");
        String personId;
        try (SandboxRun first = SandboxRun.start(dir)) {
            personId = writeAndAwaitMirror(first);
        }
        try (SandboxRun second = SandboxRun.start(dir)) {
            assertThat(second.api("GET", "/api/mirror/people/" + personId, null).statusCode())
                    .as("the first run's record is gone with the first run's simulator").isEqualTo(404);
            HttpResponse<String> page = second.api("GET", "/api/mirror/people", null);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            assertThat(JSON.readTree(page.body()).path("data")).as(page.body()).isEmpty();
            assertThat(JSON.readTree(page.body()).path("total").asInt()).as(page.body()).isZero();
            // written again after the restart: the new simulator's id, mirrored as before
            assertThat(writeAndAwaitMirror(second)).isNotEqualTo(personId);
        }
    }

    @Test
    void theBannerShowsHowToCallTheSimulatedAttio() throws Exception {
        try (SandboxRun sandbox = SandboxRun.start(Files.createTempDirectory("attio-sandbox-"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.banner().contains("Ctrl-C"));
            Matcher call = Pattern.compile("curl -H 'Authorization: Bearer (sim_[0-9a-f]+)' (http://127\\.0\\.0\\.1:\\d+/v2/self)")
                    .matcher(sandbox.banner());
            assertThat(call.find()).as(sandbox.banner()).isTrue();
            HttpResponse<String> self = HttpClient.newHttpClient().send(HttpRequest
                    .newBuilder(URI.create(call.group(2))).header("Authorization", "Bearer " + call.group(1))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(self.statusCode()).as(self.body()).isEqualTo(200);
            assertThat(JSON.readTree(self.body()).path("active").asBoolean()).isTrue();
        }
    }

    /** Posts the contact and waits until the simulated Attio's webhooks have put it in the mirror; its person id. */
    private static String writeAndAwaitMirror(SandboxRun sandbox) throws Exception {
        HttpResponse<String> written = sandbox.api("POST", "/api/contacts", CONTACT);
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        String personId = JSON.readTree(written.body()).path("person_id").asText();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> r = sandbox.api("GET", "/api/mirror/people/" + personId, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        });
        return personId;
    }
}

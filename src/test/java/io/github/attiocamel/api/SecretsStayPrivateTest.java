package io.github.attiocamel.api;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.LogCapture;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Secrets never reach a log and request headers never come back in a response. The real bundle runs at the
 * production log level (INFO, start-up summary included) with our own loggers at DEBUG (LOG_LEVEL=DEBUG), while a
 * webhook is delivered, verified, processed through the gateway (bearer auth to Attio), and /api is called with a
 * right and a wrong token.
 */
class SecretsStayPrivateTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String WEBHOOK_SECRET = "whsec-" + UUID.randomUUID();
    private static final String PREVIOUS_SECRET = "whsec-old-" + UUID.randomUUID();
    private static final String API_TOKEN = "bundle-token-" + UUID.randomUUID();
    private static final String WRONG_TOKEN = "wrong-token-" + UUID.randomUUID();

    @Test
    void noSecretInTheLogsAndNoRequestHeaderInTheResponses() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(1);
        String personId = sim.data().recordIds("people").get(0);
        StringWriter log = new StringWriter();
        try (LogCapture ignored = LogCapture.into(log);
             RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                     .property("attio.webhook-secret", WEBHOOK_SECRET)
                     .property("attio.webhook-secret-previous", PREVIOUS_SECRET)
                     .property("attio.api-token", API_TOKEN)
                     .start()) {
            String url = bundle.httpUrl() + "/webhooks/attio";
            assertThat(sim.deliver(url, WEBHOOK_SECRET, sim.recordEvent("record.created", "people", personId),
                    "secrets-1")).isEqualTo(200);
            assertThat(sim.deliver(url, "not-the-secret", sim.recordEvent("record.created", "people", personId),
                    "secrets-2")).isEqualTo(401);
            await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                    mirror(bundle, personId, API_TOKEN).statusCode() == 200);

            List<HttpResponse<String>> responses = new ArrayList<>();
            responses.add(mirror(bundle, personId, API_TOKEN));
            responses.add(mirror(bundle, personId, WRONG_TOKEN));
            responses.add(HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json").header("Attio-Signature", "00")
                    .header("Cookie", "session=" + WRONG_TOKEN).header("X-Probe", "echo-me")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()));
            assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(200, 401, 401);
            for (HttpResponse<String> r : responses) {
                Map<String, List<String>> headers = r.headers().map();
                assertThat(headers.keySet()).map(String::toLowerCase)
                        .doesNotContain("authorization", "attio-signature", "cookie", "x-probe", "idempotency-key")
                        .noneMatch(h -> h.startsWith("attio"));
                assertThat(headers.values().toString()).doesNotContain(API_TOKEN, WRONG_TOKEN, "echo-me");
            }
        }

        String text = log.toString();
        assertThat(text).as("the capture saw the start-up summary").contains("attio.webhook-secret = xxxxxx");
        assertThat(text).doesNotContain(WEBHOOK_SECRET, PREVIOUS_SECRET, API_TOKEN, WRONG_TOKEN, sim.apiKey());
    }

    private static HttpResponse<String> mirror(RunningBundle bundle, String recordId, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + "/api/mirror/people/" + recordId))
                .header("Authorization", "Bearer " + token).header("X-Probe", "echo-me").GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

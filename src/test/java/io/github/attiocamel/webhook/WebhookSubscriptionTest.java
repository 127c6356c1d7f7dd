package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhook subscriptions as code against the simulator, which like Attio accepts only https target URLs (its ingress
 * stands in for the TLS-terminating load balancer in front of the bundle) and shows a webhook's secret only in the
 * answer to its creation. The bundle runs without attio.webhook-secret: every delivery it accepts verified under a
 * secret it got from Attio itself.
 */
class WebhookSubscriptionTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String PUBLIC_URL = "https://crm-sync.example.test/webhooks/attio";

    @Test
    void startUpCreatesTheWebhookAndItsDeliveriesVerifyUnderTheSecretAttioGave() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        try (RunningBundle bundle = managed().start()) {
            sim.ingress("https://crm-sync.example.test", bundle.httpUrl());
            ObjectNode hook = awaitOneWebhook(sim);
            String webhookId = hook.path("id").path("webhook_id").asText();
            assertThat(hook.path("subscriptions")).hasSize(27);
            assertThat(requests(sim, "POST", "/v2/webhooks")).isEqualTo(1);

            JsonNode view = JSON.readTree(api(bundle, "GET", "/api/webhook").body());
            assertThat(view.path("webhook_id").asText()).isEqualTo(webhookId);
            assertThat(view.path("status").asText()).isEqualTo("active");
            assertThat(view.toString()).doesNotContain(sim.webhookSecret(webhookId));
            assertThat(readiness(bundle).getState()).isEqualTo(HealthCheck.State.UP);

            // a person's edit in Attio reaches the bundle through the webhook, signed with the secret Attio made
            String person = sim.data().recordIds("people").get(0);
            sim.data().updateRecordInUi("people", person, JSON.readTree("{\"job_title\":[\"Edited in Attio\"]}"));
            await().atMost(Duration.ofSeconds(20)).until(() -> sim.deliveries().stream()
                    .anyMatch(d -> d.webhookId().equals(webhookId) && d.status() == 200));
            assertThat(sim.deliveries()).allSatisfy(d -> assertThat(d.status()).isEqualTo(200));
            assertThat(deliver(sim, bundle, "not-the-secret")).isEqualTo(401);

            // Attio's view reaches readiness: degraded stays ready (with the status), inactive is DOWN
            sim.webhookStatus(webhookId, "degraded");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(readiness(bundle).getDetails()).containsEntry("status", "degraded"));
            assertThat(readiness(bundle).getState()).isEqualTo(HealthCheck.State.UP);
            sim.webhookStatus(webhookId, "inactive");
            await().atMost(Duration.ofSeconds(10)).until(() -> readiness(bundle).getState() == HealthCheck.State.DOWN);
            sim.webhookStatus(webhookId, "active");
        } finally {
            deleteAllWebhooks(sim);
        }
    }

    @Test
    void changedSettingsUpdateTheSameWebhookAndARestartCreatesNothing() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        String listId = sim.data().listId("sales");
        RunningBundle bundle = managed().start();
        try {
            String webhookId = awaitOneWebhook(sim).path("id").path("webhook_id").asText();
            bundle.stop();
            bundle.property("attio.webhook.subscriptions", "record.created, record.updated, list-entry.created")
                    .property("attio.webhook.filter.list-entry.created",
                            "{\"$and\":[{\"field\":\"id.list_id\",\"operator\":\"equals\",\"value\":\"" + listId + "\"}]}")
                    .start();
            await().atMost(Duration.ofSeconds(20)).until(() -> sim.webhooks().get(0).path("subscriptions").size() == 3);
            List<ObjectNode> hooks = sim.webhooks();
            assertThat(hooks).hasSize(1);
            assertThat(hooks.get(0).path("id").path("webhook_id").asText()).as("updated, not re-created").isEqualTo(webhookId);
            assertThat(hooks.get(0).path("subscriptions").toString()).contains(listId);
            assertThat(requests(sim, "PATCH", "/v2/webhooks/" + webhookId)).isEqualTo(1);

            sim.clearRequests();
            bundle.stop();
            bundle.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> requests(sim, "GET", "/v2/webhooks/" + webhookId) >= 1);
            assertThat(requests(sim, "POST", "/v2/webhooks")).as("creates after a restart").isZero();
            assertThat(requests(sim, "PATCH", "/v2/webhooks/" + webhookId)).as("updates after a restart").isZero();
        } finally {
            bundle.close();
            deleteAllWebhooks(sim);
        }
    }

    @Test
    void rotationAcceptsBothSecretsUntilTheOldWebhookIsDeleted() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        try (RunningBundle bundle = managed().property("attio.webhook.rotation-overlap", "PT15S").start()) {
            sim.ingress("https://crm-sync.example.test", bundle.httpUrl());
            String oldId = awaitOneWebhook(sim).path("id").path("webhook_id").asText();
            String oldSecret = sim.webhookSecret(oldId);

            HttpResponse<String> rotated = api(bundle, "POST", "/api/webhook:rotate");
            assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
            JsonNode view = JSON.readTree(rotated.body());
            String newId = view.path("webhook_id").asText();
            assertThat(newId).isNotEqualTo(oldId);
            assertThat(view.path("retiring").get(0).path("webhook_id").asText()).isEqualTo(oldId);
            String newSecret = sim.webhookSecret(newId);

            // during the overlap Attio signs with either secret, and both webhooks deliver a change
            assertThat(deliver(sim, bundle, oldSecret)).isEqualTo(200);
            assertThat(deliver(sim, bundle, newSecret)).isEqualTo(200);
            int before = sim.deliveries().size();
            sim.data().updateRecordInUi("people", sim.data().recordIds("people").get(1),
                    JSON.readTree("{\"job_title\":[\"Rotated\"]}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> sim.deliveries().stream().skip(before)
                    .map(AttioSimulator.Delivery::webhookId).distinct().count() == 2);
            assertThat(sim.deliveries().stream().skip(before)).allSatisfy(d -> assertThat(d.status()).isEqualTo(200));

            // then the old webhook is deleted in Attio and its secret no longer verifies
            await().atMost(Duration.ofSeconds(40)).until(() -> sim.webhooks().size() == 1);
            assertThat(sim.webhooks().get(0).path("id").path("webhook_id").asText()).isEqualTo(newId);
            await().atMost(Duration.ofSeconds(10)).until(() -> deliver(sim, bundle, oldSecret) == 401);
            assertThat(deliver(sim, bundle, newSecret)).isEqualTo(200);
            assertThat(JSON.readTree(api(bundle, "GET", "/api/webhook").body()).path("retiring")).isEmpty();
        } finally {
            deleteAllWebhooks(sim);
        }
    }

    @Test
    void aCreateWhoseAnswerWasLostIsNotSentBlindlyAgain() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        FaultRule lost = sim.faults().add(FaultRule.on("POST", "/v2/webhooks").loseAnswer().times(1));
        try (RunningBundle bundle = managed().start()) {
            sim.ingress("https://crm-sync.example.test", bundle.httpUrl());
            // the first webhook landed in Attio but its secret never reached the bundle: it must not stay behind
            await().atMost(Duration.ofSeconds(30)).until(() -> lost.fired() == 1 && requests(sim, "POST", "/v2/webhooks") == 2
                    && sim.webhooks().size() == 1);
            String webhookId = sim.webhooks().get(0).path("id").path("webhook_id").asText();
            assertThat(requests(sim, "GET", "/v2/webhooks")).as("looked before creating again").isGreaterThanOrEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> deliver(sim, bundle, sim.webhookSecret(webhookId)) == 200);
        } finally {
            deleteAllWebhooks(sim);
        }
    }

    @Test
    void aWebhookToOurUrlThatTheStoreDoesNotKnowIsReplacedNotKeptBeside() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        // made by hand, or by this bundle before its store was lost: its secret is not in the store
        String orphan = sim.subscribe(PUBLIC_URL, "a-secret-nobody-has-any-more");
        try (RunningBundle bundle = managed().start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> sim.webhooks().size() == 1
                    && !orphan.equals(sim.webhooks().get(0).path("id").path("webhook_id").asText()));
            assertThat(requests(sim, "DELETE", "/v2/webhooks/" + orphan)).isEqualTo(1);
            assertThat(requests(sim, "POST", "/v2/webhooks")).isEqualTo(1);
        } finally {
            deleteAllWebhooks(sim);
        }
    }

    @Test
    void withoutAPublicUrlNothingIsCreatedAndRotationIsRefused() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        try (RunningBundle bundle = RunningBundle.against(sim).start()) {
            assertThat(JSON.readTree(api(bundle, "GET", "/api/webhook").body()).path("enabled").asBoolean()).isFalse();
            HttpResponse<String> rotate = api(bundle, "POST", "/api/webhook:rotate");
            assertThat(rotate.statusCode()).isEqualTo(409);
            assertThat(rotate.body()).contains("attio.webhook.public-url");
            assertThat(HealthCheckRegistry.get(bundle.camelContext()).getCheck("attio-webhook")).isEmpty();
            assertThat(requests(sim, "POST", "/v2/webhooks")).isZero();
        }
    }

    private static RunningBundle managed() {
        return RunningBundle.against(ATTIO.simulator())
                .property("attio.webhook-secret", "")
                .property("attio.webhook.public-url", PUBLIC_URL)
                .property("attio.webhook.subscription.check-period", "500")
                .property("attio.health.cache-ttl", "PT0.2S");
    }

    private static ObjectNode awaitOneWebhook(AttioSimulator sim) {
        await().atMost(Duration.ofSeconds(20)).until(() -> sim.webhooks().size() == 1);
        ObjectNode hook = sim.webhooks().get(0);
        assertThat(hook.path("target_url").asText()).isEqualTo(PUBLIC_URL);
        return hook;
    }

    private static HealthCheck.Result readiness(RunningBundle bundle) {
        return HealthCheckRegistry.get(bundle.camelContext()).getCheck("attio-webhook").orElseThrow().call();
    }

    /** A signed delivery of a record.created for a seeded person, as Attio would send it, straight to the bundle. */
    private static int deliver(AttioSimulator sim, RunningBundle bundle, String secret) {
        String envelope = sim.recordEvent("record.created", "people", sim.data().recordIds("people").get(0));
        return sim.deliver(bundle.httpUrl() + "/webhooks/attio", secret, envelope, UUID.randomUUID().toString());
    }

    private static long requests(AttioSimulator sim, String method, String path) {
        return sim.requests().stream().filter(r -> method.equals(r.method()) && path.equals(r.path())).count();
    }

    private static HttpResponse<String> api(RunningBundle bundle, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Authorization", "Bearer " + bundle.apiToken())
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void deleteAllWebhooks(AttioSimulator sim) {
        sim.webhooks().forEach(h -> sim.unsubscribe(h.path("id").path("webhook_id").asText()));
    }
}

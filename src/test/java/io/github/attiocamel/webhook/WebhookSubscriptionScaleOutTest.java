package io.github.attiocamel.webhook;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances on one PostgreSQL start together while Attio takes 8 s to answer a webhook's creation (longer than the
 * store's 5 s statement timeout, so the other instance has to wait for the lock beyond one statement): their
 * checks overlap (the check holds a PostgreSQL advisory lock from its read of the store to its write of Attio's answer),
 * yet the workspace ends with one webhook, created once, whose secret both instances verify.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class WebhookSubscriptionScaleOutTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final String PUBLIC_URL = "https://crm-sync.example.test/webhooks/attio";

    @Test
    void twoInstancesStartingTogetherCreateOneWebhook() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.faults().add(FaultRule.on("POST", "/v2/webhooks").latency(Duration.ofSeconds(8)));
        try (TestPostgres db = TestPostgres.freshDatabase("webhook_subscription");
             BundleProcess first = instance(sim, db);
             BundleProcess second = instance(sim, db)) {
            // side by side from the first step (Flyway serialises the migration): their first checks overlap
            CompletableFuture.allOf(CompletableFuture.runAsync(first::start), CompletableFuture.runAsync(second::start))
                    .get();
            assertThat(sim.webhooks()).hasSize(1);
            String webhookId = sim.webhooks().get(0).path("id").path("webhook_id").asText();
            // both keep checking (one read of the webhook each time): still one webhook, created once
            await().atMost(Duration.ofSeconds(20)).until(() -> requests(sim, "GET", "/v2/webhooks/" + webhookId) >= 6);
            assertThat(sim.webhooks()).hasSize(1);
            assertThat(requests(sim, "POST", "/v2/webhooks")).isEqualTo(1);
            String secret = sim.webhookSecret(webhookId);
            for (BundleProcess bundle : List.of(first, second)) {
                String envelope = sim.recordEvent("record.created", "people", sim.data().recordIds("people").get(0));
                assertThat(sim.deliver(bundle.httpUrl() + "/webhooks/attio", secret, envelope,
                        UUID.randomUUID().toString())).as("delivery under Attio's secret").isEqualTo(200);
            }
        } finally {
            sim.webhooks().forEach(h -> sim.unsubscribe(h.path("id").path("webhook_id").asText()));
        }
    }

    private static BundleProcess instance(AttioSimulator sim, TestPostgres db) {
        return BundleProcess.against(sim.baseUrl(), sim.apiKey()).sharing(db)
                .env("ATTIO_WEBHOOK_SECRET", "")
                .env("ATTIO_WEBHOOK_PUBLIC_URL", PUBLIC_URL)
                .env("ATTIO_WEBHOOK_SUBSCRIPTION_CHECK_PERIOD", "500");
    }

    private static long requests(AttioSimulator sim, String method, String path) {
        return sim.requests().stream().filter(r -> method.equals(r.method()) && path.equals(r.path())).count();
    }
}

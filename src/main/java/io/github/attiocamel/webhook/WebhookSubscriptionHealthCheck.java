package io.github.attiocamel.webhook;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Readiness check {@code attio-webhook} (only with {@code attio.webhook.public-url}): Attio's view of the bundle's own
 * webhook as the last subscription check read it. {@code active} is UP; {@code degraded} (Attio's deliveries have been
 * failing) stays UP with the status in the details, because taking the intake out of service would keep it failing;
 * {@code inactive}, no webhook yet, or a check that failed is DOWN.
 */
final class WebhookSubscriptionHealthCheck extends AbstractHealthCheck {

    private final WebhookSubscriptions subscriptions;

    WebhookSubscriptionHealthCheck(WebhookSubscriptions subscriptions) {
        super("attio", "attio-webhook");
        this.subscriptions = subscriptions;
    }

    @Override
    public boolean isLiveness() {
        // Attio's view of a webhook is not cured by restarting the bundle
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        WebhookSubscriptions.Reading reading = subscriptions.lastReading();
        if (reading == null) {
            builder.message("the bundle's Attio webhook has not been checked yet").down();
            return;
        }
        builder.detail("webhook_id", String.valueOf(reading.webhookId())).detail("checked_at", reading.at().toString());
        if (reading.failure() != null) {
            builder.detail("status", "unknown").message("the webhook subscription check failed: " + reading.failure()).down();
            return;
        }
        builder.detail("status", reading.status());
        switch (String.valueOf(reading.status())) {
            case "active" -> builder.up();
            case "degraded" -> builder.message("Attio marks the webhook degraded: its deliveries to "
                    + "attio.webhook.public-url have been failing").up();
            default -> builder.message("Attio's webhook is " + reading.status() + ": no deliveries will come").down();
        }
    }
}

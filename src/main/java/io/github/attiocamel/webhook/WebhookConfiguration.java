package io.github.attiocamel.webhook;

import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.MirrorRepository;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;

import java.time.Duration;
import javax.sql.DataSource;

/**
 * Binds the webhook flow's beans (listed after the store and gateway configurations, whose {@code dataSource},
 * {@code mirrorRepository} and {@code attioGateway} it uses): {@code webhookVerifier}, {@code webhookInbox},
 * {@code webhookEventFailures}, {@code webhookMirror}, {@code mirrorQuery}, {@code deadLetters},
 * {@code deadLetterRepository}, and the webhook path's body limit. Settings: {@code attio.webhook.*} in config/application.properties.
 */
public class WebhookConfiguration implements CamelConfiguration {

    public static final String PATH = "/webhooks/attio";

    @Override
    public void configure(CamelContext context) throws Exception {
        Registry registry = context.getRegistry();
        PropertiesComponent pc = context.getPropertiesComponent();

        long maxBodyBytes = Long.parseLong(pc.resolveProperty("attio.webhook.max-body-bytes").orElse("1048576"));
        registry.bind("webhookVerifier", new WebhookVerifier(new WebhookSignature(
                pc.resolveProperty("attio.webhook-secret").orElse(null),
                pc.resolveProperty("attio.webhook-secret-previous").orElse(null)), maxBodyBytes));
        context.addStartupListener(new WebhookBodyLimit(PATH, maxBodyBytes));

        DataSource dataSource = mandatory(registry, "dataSource", DataSource.class);
        DeadLetterRepository deadLetters = new DeadLetterRepository(dataSource);
        registry.bind("deadLetterRepository", deadLetters);
        WebhookInboxService.Settings settings = new WebhookInboxService.Settings(
                Integer.parseInt(pc.resolveProperty("attio.webhook.batch-size").orElse("100")),
                duration(pc, "attio.webhook.coalesce-window", "PT0.3S"),
                duration(pc, "attio.webhook.claim-lease", "PT5M"),
                Integer.parseInt(pc.resolveProperty("attio.webhook.max-attempts").orElse("6")),
                duration(pc, "attio.webhook.retry-initial-delay", "PT2S"),
                duration(pc, "attio.webhook.retry-max-delay", "PT5M"),
                // an open breaker refuses calls this long (seconds): retrying sooner cannot succeed
                Duration.ofSeconds(Long.parseLong(pc.resolveProperty("attio.breaker.wait-duration-in-open-state")
                        .orElse("30").trim())),
                duration(pc, "attio.webhook.key-retention", "PT96H"),
                duration(pc, "attio.webhook.done-retention", "P7D"));
        WebhookInboxService inbox = new WebhookInboxService(
                new WebhookInboxRepository(dataSource, deadLetters), deadLetters, settings);
        registry.bind("webhookInbox", inbox);
        registry.bind("deadLetters", new DeadLetterService(deadLetters, inbox));
        registry.bind("webhookEventFailures", new EventFailureCollector());

        AttioGateway gateway = mandatory(registry, "attioGateway", AttioGateway.class);
        // a fetch older than the claim lease can no longer coalesce anything still waiting
        FetchLedger ledger = new FetchLedger(settings.claimLease(), 100_000);
        MirrorRepository mirror = mandatory(registry, "mirrorRepository", MirrorRepository.class);
        registry.bind("webhookMirror", new WebhookMirrorService(gateway, mirror, new SchemaResolver(gateway), ledger));
    }

    private static Duration duration(PropertiesComponent pc, String key, String fallback) {
        return Duration.parse(pc.resolveProperty(key).orElse(fallback));
    }

    private static <T> T mandatory(Registry registry, String name, Class<T> type) {
        T bean = registry.lookupByNameAndType(name, type);
        if (bean == null) {
            throw new IllegalStateException("bean '" + name + "' missing: list WebhookConfiguration after the store "
                    + "and gateway configurations in camel.main.configuration-classes");
        }
        return bean;
    }
}

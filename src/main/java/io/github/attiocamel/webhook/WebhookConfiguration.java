package io.github.attiocamel.webhook;

import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.ChangeFilter;
import io.github.attiocamel.mirror.ChangeOutbox;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.mirror.OwnWrites;
import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.store.WorkTracker;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

import com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Binds the webhook flow's beans (listed after the store, mirror and gateway configurations, whose
 * {@code attioStore}, {@code workTracker}, {@code mirrorRepository} and {@code attioGateway} it uses): {@code webhookVerifier},
 * {@code webhookInbox}, {@code webhookEventFailures}, {@code webhookMirror}, {@code deadLetters}, and the webhook
 * path's body limit. Settings: {@code attio.webhook.*} in config/application.properties.
 */
public class WebhookConfiguration implements CamelConfiguration {

    public static final String PATH = "/webhooks/attio";
    /** {@code attio.webhook.filter.<event type>}: Attio's subscription filter for that event type, as JSON. */
    static final String FILTER_PREFIX = "attio.webhook.filter.";
    /** Records whose last fetch is remembered for burst coalescing; older entries simply fetch again. */
    private static final int FETCH_LEDGER_ENTRIES = 100_000;

    @PropertyInject("attio.webhook-secret")
    String secret;
    @PropertyInject("attio.webhook-secret-previous")
    String previousSecret;
    @PropertyInject("attio.webhook.public-url")
    String publicUrl;
    @PropertyInject("attio.webhook.subscriptions")
    String subscriptionTypes;
    @PropertyInject("attio.webhook.rotation-overlap")
    Duration rotationOverlap;
    @PropertyInject("attio.webhook.max-body-bytes")
    long maxBodyBytes;
    @PropertyInject("attio.webhook.batch-size")
    int batchSize;
    @PropertyInject("attio.webhook.coalesce-window")
    Duration coalesceWindow;
    @PropertyInject("attio.webhook.max-attempts")
    int maxAttempts;
    @PropertyInject("attio.webhook.retry-initial-delay")
    Duration retryInitialDelay;
    @PropertyInject("attio.webhook.retry-max-delay")
    Duration retryMaxDelay;
    /** Seconds an open breaker refuses calls: retrying an event sooner cannot succeed. */
    @PropertyInject("attio.breaker.wait-duration-in-open-state")
    long breakerOpenSeconds;
    @PropertyInject("attio.webhook.key-retention")
    Duration keyRetention;
    @PropertyInject("attio.webhook.done-retention")
    Duration doneRetention;

    private DeadLetterRepository deadLetterRepository;
    private WebhookInboxService inbox;
    private WebhookSubscriptionRepository subscriptionRepository;
    private WebhookSubscriptions subscriptions;

    @BindToRegistry(value = "webhookVerifier", lazy = true)
    public WebhookVerifier verifier(@BeanInject("attioStore") AttioStore store) {
        WebhookSubscriptionRepository stored = managed() ? subscriptionRepositoryOf(store) : null;
        return new WebhookVerifier(new WebhookSignature(secret, previousSecret, stored == null ? null : stored::secrets,
                Clock.systemUTC()), maxBodyBytes);
    }

    /** The bundle's own Attio webhook ({@code attio.webhook.public-url}); does nothing while that is empty. */
    @BindToRegistry(value = "webhookSubscriptions", lazy = true)
    public WebhookSubscriptions subscriptions(CamelContext context) {
        return subscriptionsOf(context);
    }

    /** Lazy, as every bean that uses {@code workTracker}: bound once that one is, so both see the same tracker. */
    @BindToRegistry(value = "webhookInbox", lazy = true)
    public WebhookInboxService inbox(@BeanInject("attioStore") AttioStore store,
                                     @BeanInject("workTracker") WorkTracker tracker) {
        return inboxOf(store, tracker);
    }

    @BindToRegistry(value = "deadLetters", lazy = true)
    public DeadLetterService deadLetters(@BeanInject("attioStore") AttioStore store,
                                         @BeanInject("workTracker") WorkTracker tracker) {
        return new DeadLetterService(deadLettersOf(store.dataSource()), inboxOf(store, tracker));
    }

    @BindToRegistry("webhookEventFailures")
    public EventFailureCollector eventFailures() {
        return new EventFailureCollector();
    }

    @BindToRegistry("webhookMirror")
    public WebhookMirrorService mirror(@BeanInject("attioGateway") AttioGateway gateway,
                                       @BeanInject("mirrorRepository") MirrorRepository mirror,
                                       @BeanInject("changeOutbox") ChangeOutbox outbox,
                                       @BeanInject("ownWrites") OwnWrites ownWrites,
                                       @BeanInject("changeFilter") ChangeFilter filter) {
        // an event waits at most the longest back-off: a fetch older than that can no longer coalesce it
        return new WebhookMirrorService(gateway, mirror, outbox, new SchemaResolver(gateway),
                new FetchLedger(retryMaxDelay, FETCH_LEDGER_ENTRIES), ownWrites, filter);
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        context.addStartupListener(new WebhookBodyLimit(PATH, maxBodyBytes));
        if (managed()) {
            // attio.webhook.public-url itself is checked with the other settings (config.SettingsCheck)
            WebhookSubscriptionHealthCheck check = new WebhookSubscriptionHealthCheck(subscriptionsOf(context));
            check.setCamelContext(context);
            HealthCheckRegistry.get(context).register(check);
        }
    }

    private boolean managed() {
        return publicUrl != null && !publicUrl.isBlank();
    }

    private synchronized WebhookSubscriptionRepository subscriptionRepositoryOf(AttioStore store) {
        if (subscriptionRepository == null) {
            subscriptionRepository = new WebhookSubscriptionRepository(store.dataSource(), store.postgres());
        }
        return subscriptionRepository;
    }

    /** Event types and filters resolved and checked when the context is configured: a bad one refuses the start. */
    private synchronized WebhookSubscriptions subscriptionsOf(CamelContext context) {
        if (subscriptions == null) {
            Map<String, String> filters = new TreeMap<>();
            PropertiesComponent properties = context.getPropertiesComponent();
            properties.loadProperties(k -> k.startsWith(FILTER_PREFIX)).stringPropertyNames().forEach(k ->
                    properties.resolveProperty(k).ifPresent(v -> filters.put(k.substring(FILTER_PREFIX.length()), v)));
            ArrayNode wanted = WebhookSubscriptions.subscriptionsOf(subscriptionTypes, filters, WebhookSubscriptions.EVENT_TYPES);
            AttioStore store = context.getRegistry().lookupByNameAndType("attioStore", AttioStore.class);
            AttioGateway gateway = context.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class);
            subscriptions = new WebhookSubscriptions(subscriptionRepositoryOf(store), gateway, managed() ? publicUrl : "",
                    wanted, rotationOverlap, Clock.systemUTC());
        }
        return subscriptions;
    }

    /** The inbox and the dead-letter API share one repository; Camel binds them in an order of its own. */
    private synchronized DeadLetterRepository deadLettersOf(DataSource dataSource) {
        if (deadLetterRepository == null) {
            deadLetterRepository = new DeadLetterRepository(dataSource);
        }
        return deadLetterRepository;
    }

    private synchronized WebhookInboxService inboxOf(AttioStore store, WorkTracker tracker) {
        if (inbox == null) {
            DataSource dataSource = store.dataSource();
            WebhookInboxService.Settings settings = new WebhookInboxService.Settings(batchSize, coalesceWindow,
                    maxAttempts, retryInitialDelay, retryMaxDelay, Duration.ofSeconds(breakerOpenSeconds),
                    keyRetention, doneRetention);
            inbox = new WebhookInboxService(new WebhookInboxRepository(dataSource, deadLettersOf(dataSource),
                    tracker.holder()), deadLettersOf(dataSource), settings, tracker, store.ownedByOneProcess());
        }
        return inbox;
    }
}

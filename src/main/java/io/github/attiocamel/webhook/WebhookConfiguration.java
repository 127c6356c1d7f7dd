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

import javax.sql.DataSource;
import java.time.Duration;

/**
 * Binds the webhook flow's beans (listed after the store, mirror and gateway configurations, whose
 * {@code attioStore}, {@code workTracker}, {@code mirrorRepository} and {@code attioGateway} it uses): {@code webhookVerifier},
 * {@code webhookInbox}, {@code webhookEventFailures}, {@code webhookMirror}, {@code deadLetters}, and the webhook
 * path's body limit. Settings: {@code attio.webhook.*} in config/application.properties.
 */
public class WebhookConfiguration implements CamelConfiguration {

    public static final String PATH = "/webhooks/attio";
    /** Records whose last fetch is remembered for burst coalescing; older entries simply fetch again. */
    private static final int FETCH_LEDGER_ENTRIES = 100_000;

    @PropertyInject("attio.webhook-secret")
    String secret;
    @PropertyInject("attio.webhook-secret-previous")
    String previousSecret;
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

    @BindToRegistry("webhookVerifier")
    public WebhookVerifier verifier() {
        return new WebhookVerifier(new WebhookSignature(secret, previousSecret), maxBodyBytes);
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

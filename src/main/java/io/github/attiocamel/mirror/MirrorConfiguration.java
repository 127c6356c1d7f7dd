package io.github.attiocamel.mirror;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheckRegistry;

import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Binds the local mirror: {@code mirrorRepository}, which the webhook handlers and the full sync write,
 * {@code mirrorQuery}, which serves {@code /api/mirror}, the change feed: {@code changeOutbox} (written with the
 * mirror), {@code changeRelay} (routes/attio-change-feed.camel.yaml) and the readiness check {@code change-feed},
 * and what decides whether a mirror change is published at all: {@code ownWrites} (echo suppression,
 * {@code attio.actor-id}) and {@code changeFilter} ({@code attio.changes.attributes.*}). Listed after the store's
 * configuration, whose {@code dataSource} it uses.
 */
public class MirrorConfiguration implements CamelConfiguration {

    @PropertyInject("attio.changes.relay.batch-size")
    int relayBatchSize;
    @PropertyInject("attio.changes.relay.retry-initial-delay")
    Duration relayRetryInitialDelay;
    @PropertyInject("attio.changes.relay.retry-max-delay")
    Duration relayRetryMaxDelay;
    @PropertyInject("attio.changes.ready-max-lag")
    Duration readyMaxLag;
    @PropertyInject("attio.health.cache-ttl")
    Duration healthCacheTtl;
    @PropertyInject("attio.actor-id")
    String actorId;

    private MirrorRepository mirror;
    private ChangeOutbox outbox;

    @BindToRegistry(value = "ownWrites", lazy = true)
    public OwnWrites ownWrites(CamelContext context, @BeanInject("dataSource") DataSource dataSource) {
        return new OwnWrites(mirrorOf(dataSource), actorId,
                () -> context.getRegistry().findSingleByType(MeterRegistry.class));
    }

    /** A family of keys, one per object or list: read once from the properties under the prefix. */
    @BindToRegistry(value = "changeFilter", lazy = true)
    public ChangeFilter changeFilter(CamelContext context) {
        return ChangeFilter.fromProperties(context.getPropertiesComponent()
                .loadProperties(key -> key.startsWith(ChangeFilter.PREFIX)));
    }

    @BindToRegistry("mirrorRepository")
    public MirrorRepository mirror(@BeanInject("dataSource") DataSource dataSource) {
        return mirrorOf(dataSource);
    }

    @BindToRegistry("mirrorQuery")
    public MirrorQueryService query(@BeanInject("dataSource") DataSource dataSource) {
        return new MirrorQueryService(mirrorOf(dataSource));
    }

    @BindToRegistry("changeOutbox")
    public ChangeOutbox outbox(@BeanInject("dataSource") DataSource dataSource) {
        return outboxOf(dataSource);
    }

    @BindToRegistry("changeRelay")
    public ChangeRelay relay(@BeanInject("dataSource") DataSource dataSource) {
        return new ChangeRelay(dataSource, outboxOf(dataSource), relayBatchSize, relayRetryInitialDelay,
                relayRetryMaxDelay, Clock.systemUTC());
    }

    /** Readiness check {@code change-feed} and its gauges, once the meter registry is bound. */
    @Override
    public void configure(CamelContext context) throws Exception {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            throw new IllegalStateException("camel.health.enabled must be true: the change-feed check needs camel-health");
        }
        ChangeFeedHealthCheck check = new ChangeFeedHealthCheck(
                outboxOf(context.getRegistry().lookupByNameAndType("dataSource", DataSource.class)), readyMaxLag,
                healthCacheTtl, Clock.systemUTC());
        check.setCamelContext(context);
        registry.register(check);
        context.addStartupListener((started, alreadyStarted) -> {
            MeterRegistry meters = started.getRegistry().findSingleByType(MeterRegistry.class);
            if (meters != null) {
                check.registerGauges(meters);
            }
        });
    }

    /** One repository for both beans, whichever Camel binds first. */
    private synchronized MirrorRepository mirrorOf(DataSource dataSource) {
        if (mirror == null) {
            mirror = new MirrorRepository(dataSource, outboxOf(dataSource));
        }
        return mirror;
    }

    private synchronized ChangeOutbox outboxOf(DataSource dataSource) {
        if (outbox == null) {
            outbox = new ChangeOutbox(dataSource, Clock.systemUTC());
        }
        return outbox;
    }
}

package io.github.attiocamel.store;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * Binds {@code workTracker}, the one tracker of long-running work, under a holder name of its own for each start of
 * the context. Settings: {@code attio.work.*} in config/application.properties. Listed after the store's
 * configuration, whose {@code dataSource} it uses; the flows that track work are listed after it.
 */
public class WorkTrackerConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger("attio.work");
    /** Keys of the flows' own trackers that the shared one replaced; a value still set for them is no longer read. */
    private static final List<String> RETIRED = List.of("attio.sync.stale-after", "attio.sync.resume-check-period",
            "attio.sync.progress-period", "attio.contacts.batch.progress-interval-ms", "attio.webhook.claim-lease");

    @PropertyInject("attio.work.stale-after")
    Duration staleAfter;
    @PropertyInject("attio.work.heartbeat-period")
    long heartbeatPeriodMillis;

    /**
     * Lazy: bound at its first lookup, once every configuration class has run, so the store's {@code dataSource}
     * exists whichever way its class binds it. A Camel service, so stopping the context releases the held work.
     */
    @BindToRegistry(value = "workTracker", lazy = true)
    public WorkTracker workTracker(CamelContext context, @BeanInject("dataSource") DataSource dataSource)
            throws Exception {
        WorkTracker tracker = new WorkTracker(new WorkRepository(dataSource, WorkRepository.newHolder()), staleAfter,
                Clock.systemUTC());
        context.addService(tracker, true, true);
        return tracker;
    }

    @Override
    public void configure(CamelContext context) {
        if (heartbeatPeriodMillis < 1 || staleAfter.toMillis() <= 2 * heartbeatPeriodMillis) {
            throw new IllegalArgumentException("attio.work.stale-after must exceed two attio.work.heartbeat-period: "
                    + "a live holder that misses one beat must not lose its work");
        }
        for (String key : RETIRED) {
            if (context.getPropertiesComponent().resolveProperty(key).isPresent()) {
                LOG.warn("[attio-work] {} is no longer read: attio.work.* settings apply to all long-running work",
                        key);
            }
        }
    }
}

package io.github.attiocamel.config;

import io.github.attiocamel.gateway.AttioGateway;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

import java.time.Clock;
import java.time.Duration;

/** Registers the {@code attio} readiness check; the gateway is looked up per probe so start-up order never matters. */
public class HealthConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        var pc = context.getPropertiesComponent();
        Duration ttl = Duration.parse(pc.resolveProperty("attio.health.cache-ttl").orElse("PT5S"));
        Duration timeout = Duration.parse(pc.resolveProperty("attio.health.timeout").orElse("PT3S"));
        AttioHealthCheck check = new AttioHealthCheck(
                () -> context.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class), ttl, timeout,
                Clock.systemUTC());
        check.setCamelContext(context);
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            throw new StartupException("camel.health.enabled must be true: the attio readiness check needs camel-health");
        }
        registry.register(check);
    }
}

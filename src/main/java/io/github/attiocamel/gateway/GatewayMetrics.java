package io.github.attiocamel.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

import java.time.Duration;

/**
 * Micrometer meters of the gateway: requests to Attio by endpoint class and status, 429s, retries, time spent waiting
 * on the Retry-After gate and the throttle. The MeterRegistry is looked up in the Camel registry on first use (the
 * Prometheus one is bound during start-up); without one every method is a no-op.
 */
class GatewayMetrics {

    private final CamelContext camelContext;
    private volatile MeterRegistry registry;
    private volatile boolean lookedUp;

    public GatewayMetrics(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** status is the HTTP status, or "io_error" / "breaker_open" when Attio gave none. */
    public void response(String endpoint, String budget, String status) {
        MeterRegistry r = registry();
        if (r != null) {
            r.counter("attio.gateway.requests", "endpoint", endpoint, "budget", budget, "status", status).increment();
        }
    }

    public void rateLimited(String endpoint, String budget) {
        MeterRegistry r = registry();
        if (r != null) {
            r.counter("attio.gateway.rate.limited", "endpoint", endpoint, "budget", budget).increment();
        }
    }

    public void retry(String endpoint, String budget) {
        MeterRegistry r = registry();
        if (r != null) {
            r.counter("attio.gateway.retries", "endpoint", endpoint, "budget", budget).increment();
        }
    }

    /** Time a request waited on the Retry-After gate and the throttle before being sent. */
    public void throttleDelay(String budget, Duration waited) {
        MeterRegistry r = registry();
        if (r != null) {
            r.timer("attio.gateway.throttle.delay", "budget", budget).record(waited);
        }
    }

    private MeterRegistry registry() {
        if (!lookedUp) {
            MeterRegistry found = camelContext.getRegistry().findSingleByType(MeterRegistry.class);
            if (found != null) {
                registry = found;
                lookedUp = true;
            }
        }
        return registry;
    }
}

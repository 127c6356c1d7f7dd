package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Readiness check {@code attio}: Attio answers {@code GET /v2/self} through the gateway with an active token and
 * the circuit breaker is not OPEN. The probe result is cached for a few seconds so frequent health polls (load
 * balancers, Kubernetes) never add up to real load on the shared workspace rate budget. The probe is bounded by a
 * timeout (a health endpoint that hangs is worse than one that says DOWN) and at most one probe is in flight.
 */
final class AttioHealthCheck extends AbstractHealthCheck {

    private final Supplier<AttioGateway> gateway;
    private final Duration cacheTtl;
    private final Duration timeout;
    private final Clock clock;
    private final ExecutorService prober;
    private volatile Probe last;
    private CompletableFuture<Probe> inFlight;

    AttioHealthCheck(Supplier<AttioGateway> gateway, Duration cacheTtl, Duration timeout, Clock clock,
                     ExecutorService prober) {
        super("attio", "attio");
        this.gateway = gateway;
        this.cacheTtl = cacheTtl;
        this.timeout = timeout;
        this.clock = clock;
        this.prober = prober;
    }

    @Override
    public boolean isLiveness() {
        // Attio being down is no reason to restart the bundle: webhooks are still stored and replayed later
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Probe probe = probe();
        builder.detail("breaker", probe.breaker);
        if (probe.up) {
            builder.up();
        } else {
            builder.message(probe.reason).down();
        }
    }

    private Probe probe() {
        Probe cached = last;
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.at.plus(cacheTtl))) {
            return cached;
        }
        CompletableFuture<Probe> probe;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = CompletableFuture.supplyAsync(() -> call(now), prober);
            }
            probe = inFlight;
        }
        Probe fresh;
        try {
            fresh = probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fresh = new Probe(now, false, "UNKNOWN", "Attio did not answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            fresh = new Probe(now, false, "UNKNOWN", "probe failed: " + e.getCause().getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fresh = new Probe(now, false, "UNKNOWN", "probe interrupted");
        }
        last = fresh;
        return fresh;
    }

    private Probe call(Instant now) {
        AttioGateway gw = gateway.get();
        if (gw == null) {
            return new Probe(now, false, "UNKNOWN", "no attioGateway bean is bound");
        }
        String breaker = gw.circuitBreakerState();
        if ("OPEN".equals(breaker)) {
            return new Probe(now, false, breaker, "circuit breaker open: Attio calls fail fast");
        }
        try {
            JsonNode self = gw.self();
            if (self == null || !self.path("active").asBoolean(false)) {
                return new Probe(now, false, breaker, "Attio says the API token is not active");
            }
            return new Probe(now, true, gw.circuitBreakerState(), null);
        } catch (AttioException e) {
            return new Probe(now, false, gw.circuitBreakerState(),
                    "Attio unreachable: " + e.status() + " " + e.code());
        } catch (RuntimeException e) {
            return new Probe(now, false, gw.circuitBreakerState(), "Attio unreachable: " + e.getClass().getSimpleName());
        }
    }

    private record Probe(Instant at, boolean up, String breaker, String reason) {}
}

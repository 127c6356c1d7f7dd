package io.github.attiocamel.mirror;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Readiness check {@code change-feed} and the gauges {@code attio.changes.backlog} (messages not yet relayed) and
 * {@code attio.changes.lag} (seconds the oldest of them has waited): DOWN while that wait exceeds
 * {@code attio.changes.ready-max-lag}, as when the endpoint has refused messages that long. One outbox read serves
 * the check and both gauges for {@code attio.health.cache-ttl}.
 */
final class ChangeFeedHealthCheck extends AbstractHealthCheck {

    private record Reading(Instant at, long backlog, Duration lag, String failure) {}

    private final ChangeOutbox outbox;
    private final Duration maxLag;
    private final Duration cacheTtl;
    private final Clock clock;
    private volatile Reading last;

    ChangeFeedHealthCheck(ChangeOutbox outbox, Duration maxLag, Duration cacheTtl, Clock clock) {
        super("attio", "change-feed");
        this.outbox = outbox;
        this.maxLag = maxLag;
        this.cacheTtl = cacheTtl;
        this.clock = clock;
    }

    @Override
    public boolean isLiveness() {
        // a refusing endpoint is not cured by restarting the bundle
        return false;
    }

    void registerGauges(MeterRegistry registry) {
        Gauge.builder("attio.changes.backlog", this, check -> check.reading().backlog())
                .description("change messages in the outbox not yet relayed to attio.changes.uri").register(registry);
        Gauge.builder("attio.changes.lag", this, check -> check.reading().lag().toMillis() / 1000.0)
                .description("seconds the oldest change message not yet relayed has waited").baseUnit("seconds")
                .register(registry);
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Reading reading = reading();
        builder.detail("backlog", reading.backlog()).detail("lag_seconds", reading.lag().toSeconds());
        if (reading.failure() != null) {
            builder.message("the change outbox cannot be read: " + reading.failure()).down();
        } else if (reading.lag().compareTo(maxLag) > 0) {
            builder.message(reading.backlog() + " change messages wait, the oldest for " + reading.lag().toSeconds()
                    + " s (attio.changes.ready-max-lag " + maxLag + "): is attio.changes.uri refusing them?").down();
        } else {
            builder.up();
        }
    }

    private Reading reading() {
        Reading cached = last;
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.at().plus(cacheTtl))) {
            return cached;
        }
        Reading fresh;
        try {
            ChangeOutbox.Backlog backlog = outbox.backlog();
            Duration lag = backlog.oldest().map(oldest -> Duration.between(oldest, now)).orElse(Duration.ZERO);
            fresh = new Reading(now, backlog.size(), lag.isNegative() ? Duration.ZERO : lag, null);
        } catch (RuntimeException e) {
            fresh = new Reading(now, cached == null ? 0 : cached.backlog(), cached == null ? Duration.ZERO : cached.lag(),
                    String.valueOf(e.getMessage()));
        }
        last = fresh;
        return fresh;
    }
}

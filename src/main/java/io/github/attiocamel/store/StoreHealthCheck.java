package io.github.attiocamel.store;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Readiness check {@code store}: the store takes a write (one row of {@code store_probe}, committed). A store that
 * can be read but not written, a full disk above all, is DOWN with the database's own reason, so a load balancer
 * stops sending deliveries that would only get a 503; it is UP again as soon as a write succeeds. Cached and bounded
 * like the {@code attio} check (attio.health.*), so frequent polls cost at most one small commit per cache period.
 */
final class StoreHealthCheck extends AbstractHealthCheck {

    private record Probe(Instant at, String failure) {}

    private final DataSource dataSource;
    private final Duration cacheTtl;
    private final Duration timeout;
    private final Clock clock;
    private final ExecutorService prober;
    private volatile Probe last;
    private CompletableFuture<Probe> inFlight;

    StoreHealthCheck(DataSource dataSource, Duration cacheTtl, Duration timeout, Clock clock, ExecutorService prober) {
        super("attio", "store");
        this.dataSource = dataSource;
        this.cacheTtl = cacheTtl;
        this.timeout = timeout;
        this.clock = clock;
        this.prober = prober;
    }

    @Override
    public boolean isLiveness() {
        // the store recovers by itself once it can write again: restarting the process would not free the disk
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Probe probe = probe();
        if (probe.failure() == null) {
            builder.up();
        } else {
            builder.message("the store cannot write: " + probe.failure()).down();
        }
    }

    private Probe probe() {
        Probe cached = last;
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.at().plus(cacheTtl))) {
            return cached;
        }
        CompletableFuture<Probe> probe;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = CompletableFuture.supplyAsync(() -> write(now), prober);
            }
            probe = inFlight;
        }
        Probe fresh;
        try {
            fresh = probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fresh = new Probe(now, "no write within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            fresh = new Probe(now, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fresh = new Probe(now, "probe interrupted");
        }
        last = fresh;
        return fresh;
    }

    private Probe write(Instant now) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE store_probe SET probed_at = ? WHERE id = 1")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.executeUpdate();
            return new Probe(now, null);
        } catch (SQLException | RuntimeException e) {
            return new Probe(now, rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}

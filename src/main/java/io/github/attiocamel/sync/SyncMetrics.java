package io.github.attiocamel.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Full-sync meters, tagged by target ({@code records:people}): {@code attio_sync_records_total{outcome}}
 * (created|updated|unchanged|deleted), {@code attio_sync_pages_total} and {@code attio_sync_run_duration_seconds
 * {state}}. The registry is Camel's (the one behind /observe/metrics), looked up on first use because it is created
 * after the configuration classes run.
 */
final class SyncMetrics {

    private final Supplier<MeterRegistry> registryLookup;
    private volatile MeterRegistry registry;

    public SyncMetrics(Supplier<MeterRegistry> registryLookup) {
        this.registryLookup = registryLookup;
    }

    public void page(String target, int created, int updated, int unchanged) {
        MeterRegistry r = registry();
        Counter.builder("attio.sync.pages").description("Pages read and reconciled by the full sync")
                .tag("target", target).register(r).increment();
        records(r, target, "created", created);
        records(r, target, "updated", updated);
        records(r, target, "unchanged", unchanged);
    }

    public void deleted(String target, int deleted) {
        records(registry(), target, "deleted", deleted);
    }

    public void runFinished(String target, String state, Duration duration) {
        Timer.builder("attio.sync.run.duration").description("Wall time of full-sync runs (resumed runs: since start)")
                .tag("target", target).tag("state", state).register(registry()).record(duration);
    }

    private static void records(MeterRegistry r, String target, String outcome, int n) {
        Counter.builder("attio.sync.records").description("Records reconciled by the full sync, by outcome")
                .tag("target", target).tag("outcome", outcome).register(r).increment(n);
    }

    private MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            r = registryLookup.get();
            registry = r != null ? r : Metrics.globalRegistry;
            r = registry;
        }
        return r;
    }
}

package io.github.attiocamel.sync;

import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.gateway.SchemaCheck;
import io.github.attiocamel.mirror.ChangeFilter;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.store.WorkTracker;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * Binds the full-sync beans: {@code syncRunRepository}, {@code syncReconciliation}, {@code fullSync},
 * {@code syncPageHandOff}, and registers
 * full-sync runs as a kind of work with {@code workTracker}. Settings: {@code attio.sync.*} in
 * config/application.properties, injected once here. The beans are lazy: bound at their first lookup, once every
 * configuration class has run, so the store's, mirror's and tracker's beans exist whichever way their classes bind
 * them. The gateway is looked up when a run begins, so the order of its configuration class does not matter.
 */
public class FullSyncConfiguration implements CamelConfiguration {

    @PropertyInject("attio.sync.page-size")
    int pageSize;
    @PropertyInject("attio.sync.parallel-pages")
    int parallelPages;
    @PropertyInject("attio.sync.concurrent-runs")
    int concurrentRuns;
    @PropertyInject("attio.sync.sort")
    String sort;
    @PropertyInject("attio.sync.objects")
    String objects;
    @PropertyInject("attio.sync.lists")
    String lists;
    @PropertyInject("attio.sync.deletion-hold-share")
    double deletionHoldShare;
    @PropertyInject("attio.sync.schedule-enabled")
    boolean scheduleEnabled;
    @PropertyInject("attio.sync.schedule-checkin-interval")
    long scheduleCheckinMillis;

    @BindToRegistry(value = "syncRunRepository", lazy = true)
    public SyncRunRepository runs(@BeanInject("workTracker") WorkTracker tracker) {
        return new SyncRunRepository(tracker.repository());
    }

    @BindToRegistry(value = "syncMetrics", lazy = true)
    public SyncMetrics metrics(CamelContext context) {
        return new SyncMetrics(() -> context.getRegistry().findSingleByType(MeterRegistry.class));
    }

    @BindToRegistry(value = "syncReconciliation", lazy = true)
    public ReconciliationService reconciliation(CamelContext context,
                                                @BeanInject("mirrorRepository") MirrorRepository mirror,
                                                @BeanInject("syncRunRepository") SyncRunRepository runs,
                                                @BeanInject("syncMetrics") SyncMetrics metrics,
                                                @BeanInject("changeFilter") ChangeFilter filter) {
        return new ReconciliationService(mirror, runs,
                () -> context.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class), metrics,
                filter, deletionHoldShare, Clock.systemUTC());
    }

    @BindToRegistry("syncPageHandOff")
    public PageHandOff pageHandOff() {
        return new PageHandOff();
    }

    @BindToRegistry(value = "fullSync", lazy = true)
    public FullSyncService fullSync(CamelContext context, @BeanInject("workTracker") WorkTracker tracker,
                                    @BeanInject("mirrorRepository") MirrorRepository mirror,
                                    @BeanInject("syncRunRepository") SyncRunRepository runs,
                                    @BeanInject("syncMetrics") SyncMetrics metrics) {
        List<String> sortAttributes = Arrays.stream(sort.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toList();
        // page requests of every run share one managed pool, shut down with the context
        FullSyncService service = new FullSyncService(runs, tracker, mirror,
                () -> context.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class),
                context.getExecutorServiceManager().newFixedThreadPool(this, "attio-sync-pager",
                        parallelPages * concurrentRuns),
                metrics, new FullSyncService.Settings(pageSize, parallelPages, concurrentRuns, sortAttributes),
                Clock.systemUTC(), () -> context.isStopping() || context.isStopped());
        tracker.register(service.kind());
        return service;
    }

    /**
     * Refuses start-up on settings no run could work with, before any route starts, declares the objects and lists
     * the schedule syncs for the attio-schema readiness check, and on a shared store (PostgreSQL) makes the schedule
     * one for all instances ({@link ScheduleStore}).
     */
    @Override
    public void configure(CamelContext context) {
        if (pageSize < 1 || pageSize > 500) {
            throw new IllegalArgumentException("attio.sync.page-size must be 1..500 (Attio's documented maximum)");
        }
        if (parallelPages < 1 || concurrentRuns < 1) {
            throw new IllegalArgumentException("attio.sync.parallel-pages and attio.sync.concurrent-runs must be >= 1");
        }
        if (!(deletionHoldShare >= 0 && deletionHoldShare <= 1)) {
            throw new IllegalArgumentException("attio.sync.deletion-hold-share must be 0..1 (a share of the mirror)");
        }
        if (scheduleCheckinMillis < 1) {
            throw new IllegalArgumentException("attio.sync.schedule-checkin-interval must be >= 1 (ms)");
        }
        AttioStore store = context.getRegistry().lookupByNameAndType("attioStore", AttioStore.class);
        if (store != null && store.postgres()) {
            ScheduleStore.clustered(context, store.dataSource(), scheduleCheckinMillis, scheduleEnabled);
        }
        SchemaCheck check = context.getRegistry().lookupByNameAndType("attioSchemaCheck", SchemaCheck.class);
        if (check != null) {
            slugs(objects).forEach(o -> check.expect("attio.sync.objects", "objects", o));
            slugs(lists).forEach(l -> check.expect("attio.sync.lists", "lists", l));
        }
    }

    private static List<String> slugs(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}

package io.github.attiocamel.sync;

import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.MirrorRepository;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import javax.sql.DataSource;

/**
 * Binds the full-sync beans: {@code syncRunRepository}, {@code syncReconciliation}, {@code fullSync}. Needs
 * {@code dataSource} and {@code mirrorRepository} (StoreConfiguration, listed before this class); the gateway is looked
 * up when a run starts, so the order of the gateway's configuration class does not matter.
 */
public class FullSyncConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        int pageSize = Integer.parseInt(pc.resolveProperty("attio.sync.page-size").orElse("500"));
        int parallel = Integer.parseInt(pc.resolveProperty("attio.sync.parallel-pages").orElse("8"));
        int concurrentRuns = Integer.parseInt(pc.resolveProperty("attio.sync.concurrent-runs").orElse("2"));
        List<String> sort = Arrays.stream(pc.resolveProperty("attio.sync.sort").orElse("created_at").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        Duration staleAfter = Duration.parse(pc.resolveProperty("attio.sync.stale-after").orElse("PT1M"));
        if (pageSize < 1 || pageSize > 500) {
            throw new IllegalArgumentException("attio.sync.page-size must be 1..500 (Attio's documented maximum)");
        }
        if (parallel < 1 || concurrentRuns < 1) {
            throw new IllegalArgumentException("attio.sync.parallel-pages and attio.sync.concurrent-runs must be >= 1");
        }

        DataSource dataSource = context.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        MirrorRepository mirror = context.getRegistry().lookupByNameAndType("mirrorRepository", MirrorRepository.class);
        if (dataSource == null || mirror == null) {
            throw new IllegalStateException("FullSyncConfiguration needs StoreConfiguration listed before it");
        }
        SyncRunRepository runs = new SyncRunRepository(dataSource);
        SyncMetrics metrics = new SyncMetrics(() -> context.getRegistry().findSingleByType(MeterRegistry.class));
        // page requests of every run share one managed pool, shut down with the context
        ExecutorService pagerThreads = context.getExecutorServiceManager()
                .newFixedThreadPool(this, "attio-sync-pager", parallel * concurrentRuns);

        context.getRegistry().bind("syncRunRepository", runs);
        context.getRegistry().bind("syncReconciliation",
                new ReconciliationService(mirror, runs, metrics, Clock.systemUTC()));
        context.getRegistry().bind("fullSync", new FullSyncService(runs, mirror,
                () -> context.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class), pagerThreads,
                metrics, new FullSyncService.Settings(pageSize, parallel, sort, staleAfter), Clock.systemUTC(),
                () -> context.isStopping() || context.isStopped()));
    }
}

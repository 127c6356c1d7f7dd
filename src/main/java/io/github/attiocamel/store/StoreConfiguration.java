package io.github.attiocamel.store;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.support.service.ServiceSupport;

import org.apache.camel.health.HealthCheckRegistry;

import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import java.time.Duration;

/**
 * Binds the embedded store: {@code attioStore}, its {@code dataSource} and {@code operationsView}. The store is
 * migrated here, before any route starts, and closed when the context stops so a restart reopens the same files.
 */
public class StoreConfiguration implements CamelConfiguration {

    /** Empty: H2 in file mode under {@code attio.data-dir}. */
    @PropertyInject("attio.store.jdbc-url")
    String jdbcUrl;
    @PropertyInject("attio.data-dir")
    String dataDir;
    @PropertyInject("attio.store.user")
    String user;
    @PropertyInject("attio.store.password")
    String password;
    @PropertyInject("attio.store.max-pool-size")
    int maxPoolSize;
    @PropertyInject("attio.health.cache-ttl")
    Duration healthCacheTtl;
    @PropertyInject("attio.health.timeout")
    Duration healthTimeout;
    @PropertyInject("attio.store.connect-timeout")
    Duration connectTimeout;
    @PropertyInject("attio.store.socket-timeout")
    Duration socketTimeout;
    @PropertyInject("attio.store.query-timeout")
    Duration queryTimeout;
    @PropertyInject("attio.store.acquire-timeout")
    Duration acquireTimeout;

    private AttioStore store;

    @BindToRegistry("attioStore")
    public AttioStore store(CamelContext context) throws Exception {
        return open(context);
    }

    @BindToRegistry("dataSource")
    public DataSource dataSource(CamelContext context) throws Exception {
        return open(context).dataSource();
    }

    /** What {@code GET /api/operations} (and so the operations page) shows of the store. */
    @BindToRegistry("operationsView")
    public OperationsView operationsView(CamelContext context) throws Exception {
        return new OperationsView(open(context).dataSource(), Clock.systemUTC());
    }

    /** Readiness check {@code store}: the store takes a write. */
    @Override
    public void configure(CamelContext context) throws Exception {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            throw new IllegalStateException("camel.health.enabled must be true: the store readiness check needs camel-health");
        }
        StoreHealthCheck check = new StoreHealthCheck(open(context).dataSource(), healthCacheTtl, healthTimeout,
                Clock.systemUTC(), context.getExecutorServiceManager().newSingleThreadExecutor(this, "store-health-probe"));
        check.setCamelContext(context);
        registry.register(check);
    }

    /** Camel binds the two beans in an order of its own: whichever comes first opens the store. */
    private synchronized AttioStore open(CamelContext context) throws Exception {
        if (store == null) {
            AttioStore opened = new AttioStore(jdbcUrl.isBlank() ? AttioStore.h2FileUrl(dataDir) : jdbcUrl, user,
                    password, maxPoolSize, new AttioStore.Timeouts(connectTimeout, socketTimeout, queryTimeout,
                    acquireTimeout));
            try {
                context.addService(new ServiceSupport() {
                    @Override
                    protected void doStop() {
                        opened.close();
                    }
                }, true, true);
            } catch (Exception e) {
                opened.close();
                throw e;
            }
            store = opened;
        }
        return store;
    }
}

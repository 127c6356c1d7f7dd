package io.github.attiocamel.sync;

import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Where the Quartz scheduler of {@code attio-full-sync-schedule} keeps its triggers. On PostgreSQL, the store several
 * instances share, it is Quartz's clustered JDBC JobStore in that database (tables of V75): each firing of the cron
 * is acquired under a row lock by exactly one instance, and a trigger an instance acquired before dying is recovered
 * by another within a check-in interval plus Quartz's 7.5 s grace. Embedded H2 belongs to one process, so the
 * scheduler keeps Quartz's RAM store there (camel-quartz's default, nothing is configured).
 *
 * <p>camel-quartz with a clustered store neither pauses nor deletes the trigger when an instance stops, and re-creates
 * it on start only when its cron changed: instances sharing a database must agree on {@code attio.sync.cron}.
 */
final class ScheduleStore {

    private ScheduleStore() {
    }

    /**
     * Points the context's Quartz component at the clustered JDBC JobStore over the bundle's own pool: one pool per
     * process with the store's timeouts and credentials, instead of a second pool Quartz would open with the same URL.
     * An instance whose schedule is off does not start the scheduler at all: it would acquire firings and drop them,
     * since its route has no consumer.
     */
    static void clustered(CamelContext context, DataSource dataSource, long checkinIntervalMillis,
                          boolean scheduleEnabled) {
        // Quartz finds connection providers by name in a JVM-wide registry: one name per context
        String dataSourceName = "attio-store-" + UUID.randomUUID();
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new PooledConnections(dataSource));
        QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
        quartz.setProperties(properties(dataSourceName, checkinIntervalMillis));
        quartz.setAutoStartScheduler(scheduleEnabled);
    }

    static Properties properties(String dataSourceName, long checkinIntervalMillis) {
        Properties p = new Properties();
        p.putAll(Map.of(
                // unique per process (host name and start time); the scheduler's name, from the context, is shared
                "org.quartz.scheduler.instanceId", "AUTO",
                // a firing only claims the targets' runs and returns: the runs go on in the bundle's own threads
                "org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool",
                "org.quartz.threadPool.threadCount", "2",
                "org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX",
                "org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate",
                "org.quartz.jobStore.dataSource", dataSourceName,
                "org.quartz.jobStore.isClustered", "true",
                // the next firing is picked under the row lock, so two instances never both acquire it
                "org.quartz.jobStore.acquireTriggersWithinLock", "true",
                "org.quartz.jobStore.clusterCheckinInterval", String.valueOf(checkinIntervalMillis)));
        return p;
    }

    /** Quartz's connections come from the store's pool; closing one returns it there, and the store closes the pool. */
    private record PooledConnections(DataSource dataSource) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public void shutdown() {
            // the pool belongs to the store, closed when the context stops
        }

        @Override
        public void initialize() {
            // the pool is open before any configuration class runs
        }
    }
}

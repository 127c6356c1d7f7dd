package io.github.attiocamel.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.io.Closeable;
import java.sql.SQLException;
import java.util.Set;
import java.time.Duration;

/**
 * The embedded store: a pooled DataSource (H2 file mode by default, any JDBC URL such as PostgreSQL) migrated by
 * Flyway at start-up, so every table later code relies on exists before the first route starts.
 */
public final class AttioStore implements Closeable {

    /** H2's "database closed", "closed at shutdown" and "general error" (a failed write): the session is gone. */
    private static final Set<Integer> H2_CLOSED = Set.of(90098, 90121, 50000);

    private final HikariDataSource dataSource;
    private final boolean ownedByOneProcess;

    /**
     * How long the store may take before a caller gets an exception instead of a hang (a webhook then answers 503):
     * opening a connection, a silent socket, one statement (lock waits included), and waiting for a pooled connection.
     */
    public record Timeouts(Duration connect, Duration socket, Duration query, Duration acquire) {
    }

    /** A store without timeouts of its own, for tests on in-memory databases. */
    public AttioStore(String jdbcUrl, String user, String password, int maxPoolSize) {
        this(jdbcUrl, user, password, maxPoolSize, null);
    }

    public AttioStore(String jdbcUrl, String user, String password, int maxPoolSize, Timeouts timeouts) {
        String url = jdbcUrl.toUpperCase(java.util.Locale.ROOT);
        this.ownedByOneProcess = (url.startsWith("JDBC:H2:FILE:") || url.startsWith("JDBC:H2:MEM:"))
                && !url.contains("AUTO_SERVER=TRUE");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxPoolSize);
        config.setPoolName("attio-store");
        // H2 closes its database when a write fails (a full disk); such a connection is dropped, so the next one
        // opens the database again once it can write instead of every pooled one answering "closed" until a restart
        config.setExceptionOverride(new SQLExceptionOverride() {
            @java.lang.Override
            public SQLExceptionOverride.Override adjudicate(SQLException e) {
                return H2_CLOSED.contains(e.getErrorCode()) ? SQLExceptionOverride.Override.MUST_EVICT
                        : SQLExceptionOverride.Override.CONTINUE_EVICT;
            }
        });
        if (timeouts != null) {
            config.setConnectionTimeout(timeouts.acquire().toMillis());
            long queryMillis = timeouts.query().toMillis();
            if (jdbcUrl.startsWith("jdbc:postgresql:")) {
                config.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, timeouts.connect().toSeconds())));
                config.addDataSourceProperty("socketTimeout", String.valueOf(Math.max(1, timeouts.socket().toSeconds())));
                config.setConnectionInitSql("SET statement_timeout = " + queryMillis);
            } else if (jdbcUrl.startsWith("jdbc:h2:")) {
                config.setConnectionInitSql("SET QUERY_TIMEOUT " + queryMillis);
            }
        }
        this.dataSource = new HikariDataSource(config);
        Flyway.configure(AttioStore.class.getClassLoader())
                .dataSource(dataSource)
                // portable SQL first, then what only one database can say (Flyway 11 has no {vendor} placeholder)
                .locations("classpath:db/migration", "classpath:db/vendor/" + vendor(jdbcUrl))
                .load()
                .migrate();
    }

    /** The folder of {@code db/vendor} whose migrations only this database runs. */
    static String vendor(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:postgresql:") ? "postgresql" : jdbcUrl.startsWith("jdbc:h2:") ? "h2" : "other";
    }

    /**
     * H2 in file mode under the data directory; AUTO_SERVER off: one process owns the file. WRITE_DELAY=0 makes
     * every commit write its changes to the file before it returns (H2 otherwise keeps them in memory for up to half
     * a second), so what the bundle acknowledged (a webhook's 200, a batch's 202, a queued sync) survives a kill.
     */
    public static String h2FileUrl(String dataDir) {
        return "jdbc:h2:file:" + dataDir.replace('\\', '/') + "/attio;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    /**
     * True for embedded H2 (file or memory, no AUTO_SERVER): no other process can open it while this one runs, so
     * whatever claims the store holds at start-up were left by an earlier incarnation and are free at once.
     */
    public boolean ownedByOneProcess() {
        return ownedByOneProcess;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}

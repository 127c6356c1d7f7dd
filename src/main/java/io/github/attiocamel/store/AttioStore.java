package io.github.attiocamel.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.io.Closeable;
import java.time.Duration;

/**
 * The embedded store: a pooled DataSource (H2 file mode by default, any JDBC URL such as PostgreSQL) migrated by
 * Flyway at start-up, so every table later code relies on exists before the first route starts.
 */
public final class AttioStore implements Closeable {

    private final HikariDataSource dataSource;

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
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxPoolSize);
        config.setPoolName("attio-store");
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
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /** H2 in file mode under the data directory; AUTO_SERVER off: one process owns the file. */
    public static String h2FileUrl(String dataDir) {
        return "jdbc:h2:file:" + dataDir.replace('\\', '/') + "/attio;DB_CLOSE_ON_EXIT=FALSE";
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}

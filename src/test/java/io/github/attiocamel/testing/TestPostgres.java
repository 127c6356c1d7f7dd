package io.github.attiocamel.testing;

import org.opentest4j.TestAbortedException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A database of its own on the test PostgreSQL, created for one test and dropped after it. The server is
 * {@code -Dattio.test.postgres} or {@code ATTIO_TEST_POSTGRES_URL} (default 127.0.0.1:5432, user postgres, trust
 * auth). An unreachable server skips the test with one line per JVM, unless {@code -Dattio.test.postgres.required=true}
 * (or {@code ATTIO_TEST_POSTGRES_REQUIRED=true}, as CI sets) makes it a failure.
 */
public final class TestPostgres implements AutoCloseable {

    private static final String SERVER = setting("attio.test.postgres", "ATTIO_TEST_POSTGRES_URL",
            "jdbc:postgresql://127.0.0.1:5432/");
    private static final String USER = setting("attio.test.postgres-user", "ATTIO_TEST_POSTGRES_USER", "postgres");
    private static final boolean REQUIRED = Boolean.parseBoolean(setting("attio.test.postgres.required",
            "ATTIO_TEST_POSTGRES_REQUIRED", "false"));
    /** Null until the first database is asked for; then why the server did not answer ("" when it did). */
    private static String unreachable;

    private final String name;

    private TestPostgres(String name) {
        this.name = name;
    }

    public static TestPostgres freshDatabase(String purpose) throws SQLException {
        requireReachable();
        String name = "attio_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new TestPostgres(name);
    }

    /** Aborts the calling test (skipped) when the server does not answer, or fails it when PostgreSQL is required. */
    static synchronized void requireReachable() throws SQLException {
        if (unreachable == null) {
            try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, "")) {
                unreachable = "";
            } catch (SQLException e) {
                unreachable = String.valueOf(e.getMessage());
                if (!REQUIRED) {
                    System.out.println("PostgreSQL at " + SERVER + " unreachable: the PostgreSQL half was skipped");
                }
            }
        }
        if (!unreachable.isEmpty()) {
            if (REQUIRED) {
                throw new SQLException("PostgreSQL at " + SERVER + " unreachable and required "
                        + "(attio.test.postgres.required): " + unreachable);
            }
            throw new TestAbortedException("PostgreSQL at " + SERVER + " unreachable");
        }
    }

    public String jdbcUrl() {
        return SERVER + name;
    }

    public String user() {
        return USER;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, "");
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    private static String setting(String property, String env, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}

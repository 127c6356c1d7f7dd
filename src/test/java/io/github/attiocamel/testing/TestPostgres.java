package io.github.attiocamel.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A database of its own on the test PostgreSQL ({@code -Dattio.test.postgres}, default 127.0.0.1:5432, user
 * postgres, trust auth), created for one test and dropped after it.
 */
public final class TestPostgres implements AutoCloseable {

    private static final String SERVER = System.getProperty("attio.test.postgres", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String USER = System.getProperty("attio.test.postgres-user", "postgres");

    private final String name;

    private TestPostgres(String name) {
        this.name = name;
    }

    public static TestPostgres freshDatabase(String purpose) throws SQLException {
        String name = "attio_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new TestPostgres(name);
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
}

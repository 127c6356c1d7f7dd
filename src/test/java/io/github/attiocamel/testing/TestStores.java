package io.github.attiocamel.testing;

import io.github.attiocamel.store.AttioStore;

import java.sql.SQLException;
import java.util.UUID;

/**
 * The database a store test runs on: {@code -Dattio.test.store=h2} (default, an in-memory H2) or {@code postgresql}
 * (a fresh database on the test PostgreSQL, {@link TestPostgres}), as the Surefire execution {@code postgresql} sets
 * for the classes tagged {@value #BOTH}. Every store is on a database of its own, dropped when it is closed.
 */
public final class TestStores {

    /** The JUnit tag of the classes that run on both databases (pom.xml: Surefire execution postgresql). */
    public static final String BOTH = "postgresql";

    private TestStores() {
    }

    /** True when this run is the PostgreSQL half. */
    public static boolean postgresql() {
        return "postgresql".equalsIgnoreCase(System.getProperty("attio.test.store", "h2"));
    }

    /** A fresh, empty database on the run's vendor (nothing migrated yet). */
    public static Database freshDatabase(String purpose) throws SQLException {
        if (postgresql()) {
            TestPostgres db = TestPostgres.freshDatabase(purpose);
            return new Database(db.jdbcUrl(), db.user(), db);
        }
        return new Database("jdbc:h2:mem:" + purpose + "_" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", null);
    }

    /** A migrated store on a fresh database; closing it closes the pool and drops the database. */
    public static Store open(String purpose, int maxPoolSize) throws SQLException {
        Database db = freshDatabase(purpose);
        try {
            return new Store(new AttioStore(db.jdbcUrl(), db.user(), "", maxPoolSize), db);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** A database of one test: its URL and user; {@link #close()} drops it (H2 in memory: gone with its store). */
    public static final class Database implements AutoCloseable {
        private final String jdbcUrl;
        private final String user;
        private final TestPostgres postgres;

        private Database(String jdbcUrl, String user, TestPostgres postgres) {
            this.jdbcUrl = jdbcUrl;
            this.user = user;
            this.postgres = postgres;
        }

        public String jdbcUrl() {
            return jdbcUrl;
        }

        public String user() {
            return user;
        }

        @Override
        public void close() throws SQLException {
            if (postgres != null) {
                postgres.close();
            } else {
                // DB_CLOSE_DELAY=-1 keeps an in-memory H2 until told otherwise
                try (var c = java.sql.DriverManager.getConnection(jdbcUrl, user, "");
                     var s = c.createStatement()) {
                    s.execute("SHUTDOWN");
                }
            }
        }
    }

    /** A migrated store and the database under it. */
    public static final class Store implements AutoCloseable {
        private final AttioStore store;
        private final Database database;

        private Store(AttioStore store, Database database) {
            this.store = store;
            this.database = database;
        }

        public AttioStore store() {
            return store;
        }

        public javax.sql.DataSource dataSource() {
            return store.dataSource();
        }

        public Database database() {
            return database;
        }

        @Override
        public void close() throws SQLException {
            store.close();
            database.close();
        }
    }
}

package io.github.attiocamel.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * What the repositories write differently per database: on PostgreSQL mirror values are {@code jsonb} (V60), upserts
 * are one {@code INSERT ... ON CONFLICT} and claims skip rows another transaction has locked; embedded H2 keeps its
 * portable forms (one process owns it, so nothing else holds its rows).
 */
public enum StoreDialect {
    H2, POSTGRESQL;

    /** The dialect of the database behind {@code dataSource}, read from its connection once. */
    public static StoreDialect of(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgresql")
                    ? POSTGRESQL : H2;
        } catch (SQLException e) {
            throw new StoreException("cannot tell which database the store is", e);
        }
    }

    /** The parameter of a mirror values column: text on H2, {@code jsonb} on PostgreSQL. */
    public String jsonParameter() {
        return this == POSTGRESQL ? "CAST(? AS jsonb)" : "?";
    }

    /** True where {@code INSERT ... ON CONFLICT}, {@code RETURNING} and {@code FOR UPDATE SKIP LOCKED} in a subquery exist. */
    public boolean postgresql() {
        return this == POSTGRESQL;
    }
}

package io.github.attiocamel.store;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What H2 alone costs to take a first full sync's rows, apart from the bundle: 100,000 people's values (2.1 kB each) in
 * batches of 500, a commit each, written through as the store does ({@code WRITE_DELAY=0}), for the mirror's layout
 * and the alternatives docs/PERFORMANCE.md weighs. Prints the JVM's CPU seconds per layout, 2 runs each. Run:
 * <pre>mvn test -Dgroups=benchmark -DexcludedGroups= -Dtest=H2LayoutBenchmarkTest</pre>
 */
@Tag("benchmark")
class H2LayoutBenchmarkTest {

    private static final int PAGES = 200;
    private static final int PAGE = 500;

    /** How a row's values reach the column. */
    private enum Encoding { TEXT, UTF8_BYTES, DEFLATED_BYTES }

    private record Layout(String label, String table, String insert, boolean randomKeys, Encoding encoding) {}

    /** A person's values as the simulator serves them (2.1 kB canonical JSON); %1$s record id, %2$s name, %3$s company. */
    private static final String PERSON = "{\"company\":[{\"active_from\":\"2026-12-03T11:19:17.643212822Z\",\"active_until\":null,"
            + "\"attribute_type\":\"record-reference\",\"created_by_actor\":{\"id\":\"683276ac-c789-4e1b-951e-15b0d83bc905\","
            + "\"type\":\"api-token\"},\"target_object\":\"companies\",\"target_record_id\":\"%3$s\"}],\"created_at\":"
            + "[{\"active_from\":\"2026-12-03T11:19:17.643212822Z\",\"active_until\":null,\"attribute_type\":\"timestamp\","
            + "\"created_by_actor\":{\"id\":\"00000000-0000-4000-8000-000000000000\",\"type\":\"system\"},\"value\":"
            + "\"2026-12-03T11:19:17.643212822Z\"}],\"email_addresses\":[{\"active_from\":\"2026-12-03T11:19:17.643212822Z\","
            + "\"active_until\":null,\"attribute_type\":\"email-address\",\"created_by_actor\":{\"id\":"
            + "\"683276ac-c789-4e1b-951e-15b0d83bc905\",\"type\":\"api-token\"},\"email_address\":\"%2$s@initech.com\","
            + "\"email_domain\":\"initech.com\",\"email_local_specifier\":\"%2$s\",\"email_root_domain\":\"initech.com\","
            + "\"original_email_address\":\"%2$s@initech.com\"}],\"job_title\":[{\"active_from\":"
            + "\"2026-12-03T11:19:17.643212822Z\",\"active_until\":null,\"attribute_type\":\"text\",\"created_by_actor\":"
            + "{\"id\":\"683276ac-c789-4e1b-951e-15b0d83bc905\",\"type\":\"api-token\"},\"value\":\"Engineer\"}],"
            + "\"lead_source\":[{\"active_from\":\"2026-12-03T11:19:17.643212822Z\",\"active_until\":null,\"attribute_type\":"
            + "\"select\",\"created_by_actor\":{\"id\":\"683276ac-c789-4e1b-951e-15b0d83bc905\",\"type\":\"api-token\"},"
            + "\"option\":{\"id\":{\"attribute_id\":\"79a12f5e-aa74-46cf-bc7d-a82feecb0ef6\",\"object_id\":"
            + "\"64b8264c-e8e8-4ea8-af98-e41cb4109850\",\"option_id\":\"0738ce3d-01fb-43eb-9d1e-cdd618be5e8d\","
            + "\"workspace_id\":\"61da3298-c506-448f-99fc-9c44dfec56c8\"},\"is_archived\":false,\"title\":\"Event\"}}],"
            + "\"linkedin\":[],\"name\":[{\"active_from\":\"2026-12-03T11:19:17.643212822Z\",\"active_until\":null,"
            + "\"attribute_type\":\"personal-name\",\"created_by_actor\":{\"id\":\"683276ac-c789-4e1b-951e-15b0d83bc905\","
            + "\"type\":\"api-token\"},\"first_name\":\"%2$s\",\"full_name\":\"%2$s Turing\",\"last_name\":\"Turing\"}],"
            + "\"owners\":[],\"phone_numbers\":[],\"primary_location\":[],\"record_id\":[{\"active_from\":"
            + "\"2026-12-03T11:19:17.643212822Z\",\"active_until\":null,\"attribute_type\":\"text\",\"created_by_actor\":"
            + "{\"id\":\"00000000-0000-4000-8000-000000000000\",\"type\":\"system\"},\"value\":\"%1$s\"}]}";

    @Test
    void cpuPerHundredThousandRowsByLayout(@TempDir Path dir) throws Exception {
        String keyed = "CREATE TABLE t (slug VARCHAR(128) NOT NULL, id VARCHAR(64) NOT NULL, v %s NOT NULL, "
                + "PRIMARY KEY (slug, id)); CREATE INDEX t_id ON t (id)";
        // the mirror's own four B-trees (V1, V31, V32, V87) and the columns they index
        String mirror = "CREATE TABLE t (slug VARCHAR(128) NOT NULL, id VARCHAR(64) NOT NULL, v %s NOT NULL, "
                + "h CHAR(64) NOT NULL, deleted BOOLEAN DEFAULT FALSE NOT NULL, seen BIGINT, PRIMARY KEY (slug, id)); "
                + "CREATE INDEX t_id ON t (id); CREATE INDEX t_seen ON t (slug, seen); CREATE INDEX t_live ON t (slug, deleted)";
        String insert = "INSERT INTO t (slug, id, v) VALUES ('people', ?, ?)";
        String insertMirror = "INSERT INTO t (slug, id, v, h, seen) VALUES ('people', ?, ?, "
                + "'0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 4242)";
        List<Layout> layouts = List.of(
                new Layout("two B-trees, VARCHAR values", keyed.formatted("VARCHAR"), insert, true, Encoding.TEXT),
                new Layout("two B-trees, VARBINARY UTF-8", keyed.formatted("VARBINARY"), insert, true, Encoding.UTF8_BYTES),
                new Layout("two B-trees, keys in insertion order", keyed.formatted("VARCHAR"), insert, false, Encoding.TEXT),
                new Layout("mirror's four B-trees, VARCHAR values", mirror.formatted("VARCHAR"), insertMirror, true,
                        Encoding.TEXT),
                new Layout("mirror's four B-trees, deflated VARBINARY", mirror.formatted("VARBINARY"), insertMirror, true,
                        Encoding.DEFLATED_BYTES),
                new Layout("mirror's four B-trees, CLOB values", mirror.formatted("CLOB"), insertMirror, true,
                        Encoding.TEXT),
                new Layout("mirror's four B-trees, deflated BLOB", mirror.formatted("BLOB"), insertMirror, true,
                        Encoding.DEFLATED_BYTES));
        List<String> report = new ArrayList<>();
        int run = 0;
        for (Layout layout : layouts) {
            List<String> cpu = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                cpu.add(String.format(Locale.ROOT, "%.1f", load(dir.resolve("db" + run++), layout)));
            }
            report.add(String.format(Locale.ROOT, "%-45s CPU s %s", layout.label(), cpu));
        }
        System.out.println("\n[benchmark] H2, " + PAGES * PAGE + " rows of " + person(UUID.randomUUID()).length()
                + " chars, " + PAGE + " per commit, WRITE_DELAY=0\n  " + String.join("\n  ", report) + "\n");
    }

    private static String person(UUID id) {
        return PERSON.formatted(id, String.format(Locale.ROOT, "p%06x", id.getLeastSignificantBits() & 0xffffff),
                new UUID(id.getLeastSignificantBits(), id.getMostSignificantBits()));
    }

    private static byte[] deflate(String text) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() / 2);
            byte[] buffer = new byte[4096];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** Loads the rows into a fresh database; the CPU seconds the JVM spent on it (H2's own threads included). */
    private static double load(Path dir, Layout layout) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir + "/db;WRITE_DELAY=0");
             Statement s = c.createStatement()) {
            s.execute(layout.table());
            c.setAutoCommit(false);
            long start = processCpuNanos();
            try (PreparedStatement ps = c.prepareStatement(layout.insert())) {
                for (int p = 0; p < PAGES; p++) {
                    for (int i = 0; i < PAGE; i++) {
                        UUID id = layout.randomKeys() ? UUID.randomUUID() : new UUID(0, p * PAGE + i);
                        String value = person(id);
                        ps.setString(1, layout.randomKeys() ? id.toString()
                                : String.format(Locale.ROOT, "%012d", p * PAGE + i));
                        switch (layout.encoding()) {
                            case TEXT -> ps.setString(2, value);
                            case UTF8_BYTES -> ps.setBytes(2, value.getBytes(StandardCharsets.UTF_8));
                            case DEFLATED_BYTES -> ps.setBytes(2, deflate(value));
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    c.commit();
                }
            }
            double seconds = (processCpuNanos() - start) / 1e9;
            try (var rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo((long) PAGES * PAGE);
            }
            return seconds;
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}

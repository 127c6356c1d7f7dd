package io.github.attiocamel.webhook;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.TestPostgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Several bundle processes (JVMs of their own) on one fresh PostgreSQL database, and what the scale-out tests and the
 * scaling benchmark read back: the simulator's record fetches and the shared store's inbox and mirror.
 */
final class SharedStoreInstances implements AutoCloseable {

    private final TestPostgres db;
    private final List<BundleProcess> bundles = new ArrayList<>();

    private SharedStoreInstances(TestPostgres db) {
        this.db = db;
    }

    /** {@code count} processes against the simulator on one fresh database, started in parallel. */
    static SharedStoreInstances start(AttioSimulator sim, String purpose, int count) throws Exception {
        return start(sim, purpose, count, bundle -> { });
    }

    /** The same, each process configured by {@code configure} before it starts. */
    static SharedStoreInstances start(AttioSimulator sim, String purpose, int count, Consumer<BundleProcess> configure)
            throws Exception {
        SharedStoreInstances instances = new SharedStoreInstances(TestPostgres.freshDatabase(purpose));
        try {
            for (int i = 0; i < count; i++) {
                instances.bundles.add(BundleProcess.against(sim.baseUrl(), sim.apiKey())
                        .sharing(instances.db));
                configure.accept(instances.bundles.get(i));
            }
            // the first one alone migrates the fresh database; the others then start side by side
            instances.bundles.get(0).start();
            ExecutorService starters = Executors.newFixedThreadPool(Math.max(1, count - 1));
            try {
                CompletableFuture.allOf(instances.bundles.subList(1, count).stream()
                        .map(b -> CompletableFuture.runAsync(b::start, starters)).toArray(CompletableFuture[]::new))
                        .join();
            } finally {
                starters.shutdownNow();
            }
            return instances;
        } catch (Exception | Error e) {
            instances.close();
            throw e;
        }
    }

    BundleProcess get(int index) {
        return bundles.get(index);
    }

    List<BundleProcess> all() {
        return List.copyOf(bundles);
    }

    /**
     * Posts one signed {@code record.created} delivery per record, record i to {@code targets.get(i % size)}, from a
     * few sender threads; answers the HTTP statuses in record order.
     */
    static List<Integer> deliver(AttioSimulator sim, List<BundleProcess> targets, List<String> recordIds)
            throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < recordIds.size(); i++) {
                String url = targets.get(i % targets.size()).httpUrl() + "/webhooks/attio";
                String envelope = sim.recordEvent("record.created", "people", recordIds.get(i));
                statuses.add(senders.submit(() -> sim.deliver(url, RunningBundle.WEBHOOK_SECRET, envelope,
                        UUID.randomUUID().toString())));
            }
            List<Integer> answers = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                answers.add(status.get());
            }
            return answers;
        } finally {
            senders.shutdownNow();
        }
    }

    /** The simulator's GETs of these people records, in answer order. */
    static List<RecordedRequest> fetches(AttioSimulator sim, Collection<String> recordIds) {
        Set<String> paths = recordIds.stream().map(id -> "/v2/objects/people/records/" + id).collect(Collectors.toSet());
        return sim.requests().stream().filter(r -> "GET".equals(r.method()) && paths.contains(r.path())).toList();
    }

    /** Fetches per record path, of the records fetched more than once. */
    static Map<String, Long> fetchedTwice(List<RecordedRequest> fetches) {
        return fetches.stream().collect(Collectors.groupingBy(RecordedRequest::path, Collectors.counting()))
                .entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    static long distinctPaths(List<RecordedRequest> fetches) {
        return fetches.stream().map(RecordedRequest::path).distinct().count();
    }

    /** Inbox rows per state. */
    Map<String, Long> inboxStates() throws SQLException {
        Map<String, Long> states = new LinkedHashMap<>();
        query("SELECT state, COUNT(*) FROM webhook_inbox GROUP BY state ORDER BY state", List.of(),
                rs -> states.put(rs.getString(1), rs.getLong(2)));
        return states;
    }

    /** Inbox rows per number of claims they took (attempts). */
    Map<Integer, Long> inboxAttempts() throws SQLException {
        Map<Integer, Long> attempts = new LinkedHashMap<>();
        query("SELECT attempts, COUNT(*) FROM webhook_inbox GROUP BY attempts ORDER BY attempts", List.of(),
                rs -> attempts.put(rs.getInt(1), rs.getLong(2)));
        return attempts;
    }

    /** The ids of inbox rows claimed right now by the process with this pid (its holder is host/pid/random). */
    Set<Long> claimedBy(long pid) throws SQLException {
        Set<Long> ids = new HashSet<>();
        query("SELECT id FROM webhook_inbox WHERE state = 'processing' AND claimed_by LIKE ?",
                List.of("%/" + pid + "/%"), rs -> ids.add(rs.getLong(1)));
        return ids;
    }

    /** Claims held right now, per claimer (holder name). */
    Map<String, Long> claimsPerHolder() throws SQLException {
        Map<String, Long> claims = new LinkedHashMap<>();
        query("SELECT claimed_by, COUNT(*) FROM webhook_inbox WHERE state = 'processing' GROUP BY claimed_by",
                List.of(), rs -> claims.put(rs.getString(1), rs.getLong(2)));
        return claims;
    }

    /** Attempts of these inbox rows (the claims each took). */
    Map<Long, Integer> attemptsOf(Set<Long> ids) throws SQLException {
        Map<Long, Integer> attempts = new LinkedHashMap<>();
        query("SELECT id, attempts FROM webhook_inbox", List.of(), rs -> {
            if (ids.contains(rs.getLong(1))) {
                attempts.put(rs.getLong(1), rs.getInt(2));
            }
        });
        return attempts;
    }

    /** How many of these people records the shared mirror holds. */
    long mirrored(Collection<String> recordIds) throws SQLException {
        Set<String> wanted = Set.copyOf(recordIds);
        long[] found = {0};
        query("SELECT record_id FROM mirror_record WHERE object_slug = 'people'", List.of(), rs -> {
            if (wanted.contains(rs.getString(1))) {
                found[0]++;
            }
        });
        return found[0];
    }

    /** When the last of these people records reached the mirror (its {@code synced_at}). */
    Instant lastMirrored(Collection<String> recordIds) throws SQLException {
        Set<String> wanted = Set.copyOf(recordIds);
        Instant[] last = {Instant.EPOCH};
        query("SELECT record_id, synced_at FROM mirror_record WHERE object_slug = 'people'", List.of(), rs -> {
            Instant at = rs.getObject(2, OffsetDateTime.class).toInstant();
            if (wanted.contains(rs.getString(1)) && at.isAfter(last[0])) {
                last[0] = at;
            }
        });
        return last[0];
    }

    long deadLetters() throws SQLException {
        long[] count = {0};
        query("SELECT COUNT(*) FROM dead_letter", List.of(), rs -> count[0] = rs.getLong(1));
        return count[0];
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, List<Object> args, RowReader reader) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (BundleProcess bundle : bundles) {
            try {
                bundle.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        try {
            db.close();
        } catch (SQLException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }
}

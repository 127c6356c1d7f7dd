package io.github.attiocamel.store;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.FileOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

/**
 * The data directory's disk fills up while webhooks arrive (a small tmpfs, mounted for the test when the test runs as
 * root, else skipped): no delivery is answered 200 without its row, readiness is DOWN naming the store meanwhile, and
 * once space is freed intake answers 200 again by itself, no restart.
 */
class FullDiskTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Path mount;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = Files.createTempDirectory("attio-full-disk-");
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mount.toString()),
                "mounting a tmpfs needs root; skipped");
    }

    @AfterEach
    void unmount() throws Exception {
        run("umount", mount.toString());
        Files.deleteIfExists(mount);
    }

    @Test
    void aFullDiskAnswers503NeverA200WithoutARowAndRecoversWhenSpaceReturns() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        String record = sim.data().recordIds("people").get(0);
        Path dataDir = Files.createDirectories(mount.resolve("data"));
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.data-dir", dataDir.toString())
                .property("attio.webhook.poll-interval-ms", "3600000").start()) {
            String url = bundle.httpUrl() + "/webhooks/attio";
            Path filler = mount.resolve("filler");
            fill(filler);

            Map<String, Integer> answers = new java.util.LinkedHashMap<>();
            for (int i = 0; i < 30; i++) {
                String key = "full-" + i + "-" + UUID.randomUUID();
                answers.put(key, sim.deliver(url, RunningBundle.WEBHOOK_SECRET,
                        sim.recordEvent("record.updated", "people", record), key));
            }
            assertThat(answers.values()).as("answers while the disk is full").contains(503);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(health(bundle))
                    .startsWith("503").contains("\"name\":\"store\"", "the store cannot write"));

            Files.delete(filler);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                    sim.deliver(url, RunningBundle.WEBHOOK_SECRET, sim.recordEvent("record.updated", "people", record),
                            UUID.randomUUID().toString()) == 200);
            List<String> lost = new ArrayList<>();
            for (Map.Entry<String, Integer> a : answers.entrySet()) {
                if (a.getValue() == 200 && rows(bundle, a.getKey()) != 1) {
                    lost.add(a.getKey());
                }
            }
            assertThat(lost).as("deliveries answered 200 without a stored row").isEmpty();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(health(bundle)).startsWith("200"));
        }
    }

    private static void fill(Path filler) {
        byte[] block = new byte[64 * 1024];
        try (FileOutputStream out = new FileOutputStream(filler.toFile())) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // no space left: exactly what we wanted
        }
        try (FileOutputStream out = new FileOutputStream(filler.toFile(), true)) {
            while (true) {
                out.write(0);
            }
        } catch (IOException full) {
            // the last bytes too
        }
    }

    private static String health(RunningBundle bundle) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(bundle.managementUrl() + "/observe/health"))
                .build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private static long rows(RunningBundle bundle, String key) throws Exception {
        DataSource ds = bundle.camelContext().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM webhook_inbox WHERE idempotency_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}

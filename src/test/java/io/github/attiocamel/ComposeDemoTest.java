package io.github.attiocamel;

import io.github.attiocamel.testing.BothStores;
import org.junit.jupiter.api.condition.EnabledIf;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.attiocamel.DeploymentFilesTest.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * deploy/docker-compose.yml without Docker: its simulator and two replicas as processes of their own, with exactly the
 * environment the file gives them (values from deploy/.env.example), where only what Docker would provide is
 * replaced: service host names and ports by 127.0.0.1 and free ports, the postgres service by a fresh database on
 * the test PostgreSQL. A contact posted to bundle-2 comes back from the simulator as a webhook to bundle-1 and is in
 * bundle-2's mirror: the replicas share one store and the demo's wiring holds.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class ComposeDemoTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(:?[?-][^}]*)?}");

    @Test
    void aContactPostedToOneReplicaReachesTheOthersMirrorThroughTheSimulatorsWebhook() throws Exception {
        Map<String, Object> services = map(DeploymentFilesTest.yaml(Path.of("deploy/docker-compose.yml")), "services");
        Properties example = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("deploy/.env.example"))) {
            example.load(in);
        }
        int simulatorPort = freePort();
        try (TestPostgres db = TestPostgres.freshDatabase("compose");
             BundleProcess bundle1 = BundleProcess.against("unset", "unset");
             BundleProcess bundle2 = BundleProcess.against("unset", "unset")) {
            Map<String, String> hosts = new LinkedHashMap<>();
            hosts.put("jdbc:postgresql://postgres:5432/attio", db.jdbcUrl());
            hosts.put("http://simulator:8089", "http://127.0.0.1:" + simulatorPort);
            hosts.put("http://bundle-1:8080", bundle1.httpUrl());

            Map<String, String> simulatorEnv = environment(services, "simulator", example, hosts);
            assertThat(simulatorEnv).containsEntry("SIMULATOR_HOST", "0.0.0.0").containsEntry("SIMULATOR_PORT", "8089");
            simulatorEnv.put("SIMULATOR_HOST", "127.0.0.1");
            simulatorEnv.put("SIMULATOR_PORT", String.valueOf(simulatorPort));
            Process simulator = startSimulator(simulatorEnv, Files.createTempFile("compose-simulator-", ".log"));
            try {
                String key = example.getProperty("ATTIO_API_KEY");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> status("http://127.0.0.1:" + simulatorPort + "/v2/self", key) == 200);

                for (var replica : Map.of("bundle-1", bundle1, "bundle-2", bundle2).entrySet()) {
                    Map<String, String> env = environment(services, replica.getKey(), example, hosts);
                    assertThat(env).containsEntry("ATTIO_STORE_JDBC_URL", db.jdbcUrl());
                    // the test PostgreSQL's own role (trust) stands in for the one the postgres image would create
                    env.put("ATTIO_STORE_USER", db.user());
                    env.forEach(replica.getValue()::env);
                }
                bundle1.start();
                bundle2.start();
                assertThat(status(bundle1.managementUrl() + "/observe/health/live", "")).isEqualTo(200);
                assertThat(status(bundle2.managementUrl() + "/observe/health/live", "")).isEqualTo(200);

                String token = example.getProperty("BUNDLE_API_TOKEN");
                HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(bundle2.httpUrl() + "/api/contacts"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(
                                "{\"email\":\"compose-" + UUID.randomUUID() + "@acme.com\",\"first_name\":\"Demo\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
                String personId = JSON.readTree(created.body()).path("person_id").asText();

                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                        assertThat(status(bundle2.httpUrl() + "/api/mirror/people/" + personId, token))
                                .as("the person in bundle-2's mirror").isEqualTo(200));
                assertThat(Files.readString(bundle1.log()) + Files.readString(bundle2.log()))
                        .as("no secret of the env file in a log")
                        .doesNotContain(key, token, example.getProperty("ATTIO_WEBHOOK_SECRET"));
            } finally {
                simulator.destroy();
                simulator.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** A service's environment as compose would pass it: ${NAME...} from the env file, then Docker's names replaced. */
    private static Map<String, String> environment(Map<String, Object> services, String service, Properties values,
                                                   Map<String, String> hosts) {
        Map<String, String> env = new LinkedHashMap<>();
        map(map(services, service), "environment").forEach((name, raw) -> {
            Matcher m = INTERPOLATION.matcher(String.valueOf(raw));
            String value = m.replaceAll(r -> Matcher.quoteReplacement(values.getProperty(r.group(1))));
            for (var host : hosts.entrySet()) {
                value = value.replace(host.getKey(), host.getValue());
            }
            env.put(name, value);
        });
        return env;
    }

    private static Process startSimulator(Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "io.github.attiocamel.Application", "--simulator")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("SIMULATOR_"));
        builder.environment().putAll(env);
        return builder.start();
    }

    private static int status(String url, String token) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

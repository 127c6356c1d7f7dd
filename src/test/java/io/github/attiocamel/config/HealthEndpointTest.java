package io.github.attiocamel.config;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RunningBundle;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HealthEndpointTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void healthIs503AndNamesTheAttioCheckWhenAttioCannotBeReached() throws Exception {
        try (RunningBundle bundle = RunningBundle.against("http://127.0.0.1:9", "key").start()) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                    URI.create(bundle.managementUrl() + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("attio", "DOWN");
        }
    }

    /** What the container HEALTHCHECK and the Kubernetes liveness probe rely on: an Attio outage restarts nothing. */
    @Test
    void liveIs200AndReadyIs503WhileAttioCannotBeReached() throws Exception {
        try (RunningBundle bundle = RunningBundle.against("http://127.0.0.1:9", "key").start()) {
            HttpResponse<String> live = get(bundle, "/observe/health/live");
            assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
            assertThat(live.body()).doesNotContain("\"attio\"");
            HttpResponse<String> ready = get(bundle, "/observe/health/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
            assertThat(ready.body()).contains("\"name\":\"attio\",\"status\":\"DOWN\"");
        }
    }

    @Test
    void healthIs200WhileTheSimulatedAttioAnswersAnd503OnceItIsGone() throws Exception {
        AttioSimulator attio = AttioSimulator.start(0);
        try (RunningBundle bundle = RunningBundle.against(attio).property("attio.health.cache-ttl", "PT0S").start()) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HttpResponse<String> r = health(bundle);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            });
            assertThat(health(bundle).body()).contains("\"name\":\"attio\",\"status\":\"UP\"");

            attio.close();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(health(bundle).statusCode()).isEqualTo(503));
            assertThat(health(bundle).body()).contains("\"name\":\"attio\",\"status\":\"DOWN\"");
        } finally {
            attio.close();
        }
    }

    private static HttpResponse<String> health(RunningBundle bundle) throws Exception {
        return get(bundle, "/observe/health");
    }

    private static HttpResponse<String> get(RunningBundle bundle, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.managementUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        try (RunningBundle bundle = RunningBundle.against("http://127.0.0.1:9", "key").start()) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                    URI.create(bundle.managementUrl() + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("# TYPE");
        }
    }
}

package io.github.attiocamel.config;

import io.github.attiocamel.testing.RunningBundle;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class HealthEndpointTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void healthIs503AndNamesTheAttioCheckWhenAttioCannotBeReached() throws Exception {
        try (RunningBundle bundle = RunningBundle.against("http://127.0.0.1:9", "key").start()) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                    URI.create(bundle.managementUrl() + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("attio", "DOWN");
        }
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

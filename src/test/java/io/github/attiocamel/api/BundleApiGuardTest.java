package io.github.attiocamel.api;

import io.github.attiocamel.testing.RunningBundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class BundleApiGuardTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static RunningBundle bundle;

    @BeforeAll
    static void start() {
        bundle = RunningBundle.against("http://127.0.0.1:9", "key").start();
    }

    @AfterAll
    static void stop() {
        bundle.close();
    }

    @Test
    void pingAnswersTheBearerOfTheApiToken() throws Exception {
        HttpResponse<String> r = get(bundle, "Bearer " + bundle.apiToken());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void missingTokenIs401Json() throws Exception {
        HttpResponse<String> r = get(bundle, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).contains("\"error\":\"unauthorized\"");
    }

    @Test
    void wrongTokenIs401() throws Exception {
        assertThat(get(bundle, "Bearer " + bundle.apiToken() + "x").statusCode()).isEqualTo(401);
        assertThat(get(bundle, bundle.apiToken()).statusCode()).as("no Bearer scheme").isEqualTo(401);
    }

    @Test
    void noConfiguredTokenRefusesEveryCall() throws Exception {
        try (RunningBundle open = RunningBundle.against("http://127.0.0.1:9", "key").property("attio.api-token", "")
                .start()) {
            assertThat(get(open, "Bearer ").statusCode()).isEqualTo(401);
            assertThat(get(open, "Bearer anything").statusCode()).isEqualTo(401);
        }
    }

    private static HttpResponse<String> get(RunningBundle b, String authorization) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(b.httpUrl() + "/api/ping"));
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }
}

package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.testing.RunningBundle;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** The sync API of a running bundle, over real HTTP with the bundle's bearer token. */
final class SyncApi {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final RunningBundle bundle;

    SyncApi(RunningBundle bundle) {
        this.bundle = bundle;
    }

    HttpResponse<String> post(String path) {
        return send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Authorization", "Bearer " + bundle.apiToken())
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Authorization", "Bearer " + bundle.apiToken()).GET().build());
    }

    /** POST /api/sync/{object}: 202, the run id. */
    String trigger(String object) {
        HttpResponse<String> r = post("/api/sync/" + object);
        if (r.statusCode() != 202) {
            throw new AssertionError("trigger answered " + r.statusCode() + ": " + r.body());
        }
        return json(r.body()).path("run_id").asText();
    }

    JsonNode run(String runId) {
        HttpResponse<String> r = get("/api/sync/runs/" + runId);
        if (r.statusCode() != 200) {
            throw new AssertionError("run answered " + r.statusCode() + ": " + r.body());
        }
        return json(r.body());
    }

    /** Waits until the run is no longer running and answers its final view. */
    JsonNode awaitFinished(String runId, Duration timeout) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = run(runId);
            return !"running".equals(last[0].path("state").asText());
        });
        return last[0];
    }

    static JsonNode json(String body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

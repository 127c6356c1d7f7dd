package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.testing.RunningBundle;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The bundle's /api over real HTTP, with the bearer token, answers parsed as JSON. */
final class ContactsHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Status, headers and JSON body of one answer. */
    record Answer(int status, HttpResponse<String> raw, JsonNode json) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final RunningBundle bundle;

    ContactsHttp(RunningBundle bundle) {
        this.bundle = bundle;
    }

    Answer post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Authorization", "Bearer " + bundle.apiToken())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Authorization", "Bearer " + bundle.apiToken()).GET());
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body() == null || r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
            return new Answer(r.statusCode(), r, json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.github.attiocamel;

import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ROUTES_DIR adds an estate's own route files to the packed ones, and a file named like a packed one replaces it: an
 * estate edits one flow by copying one file, and keeps every other packed flow as released.
 */
class RoutesDirTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @TempDir
    Path routes;

    @Test
    void ownRoutesRunBesideThePackedOnesAndASameNamedFileReplacesItsPackedFile() throws Exception {
        Files.writeString(routes.resolve("estate-hello.camel.yaml"), """
                - route:
                    id: estate-hello
                    from:
                      uri: direct:estate-hello
                      steps:
                        - setBody:
                            constant: hello from the estate
                """);
        String ping = Files.readString(Path.of("routes/attio-api-ping.camel.yaml"));
        assertThat(ping).contains("'{\"status\":\"ok\"}'");
        Files.writeString(routes.resolve("attio-api-ping.camel.yaml"),
                ping.replace("'{\"status\":\"ok\"}'", "'{\"status\":\"edited by the estate\"}'"));
        Files.writeString(routes.resolve("notes.txt"), "not a route file");

        try (RunningBundle bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.sync.schedule-enabled", "false").routesDir(routes).start()) {
            assertThat(bundle.camelContext().createProducerTemplate().requestBody("direct:estate-hello", "", String.class))
                    .isEqualTo("hello from the estate");
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(bundle.httpUrl() + "/api/ping"))
                    .header("Authorization", "Bearer " + bundle.apiToken()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.body()).isEqualTo("{\"status\":\"edited by the estate\"}");
            // every other packed flow is there as released
            assertThat(bundle.camelContext().getRoute("attio-webhook-intake")).isNotNull();
            assertThat(bundle.camelContext().getRoute("attio-change-relay")).isNotNull();
            assertThat(bundle.camelContext().getRoutes().stream().filter(r -> r.getRouteId().equals("attio-api-ping")))
                    .hasSize(1);
        }
    }
}

package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Classification and retry rules of the real gateway routes, over real HTTP to a scripted server: the answers are
 * scripted exactly so the tests can count attempts. Throttling, 429 timing and the breaker run against the
 * simulator in the acceptance tests.
 */
class GatewayErrorHandlingTest {

    private record Answer(int status, String body) {}

    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private GatewayContext context;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " auth="
                    + exchange.getRequestHeaders().getFirst("Authorization") + " body="
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            Answer answer = script.poll();
            if (answer == null) {
                answer = new Answer(200, "{\"data\":{}}");
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            } catch (IOException ignored) {
                // client went away
            }
        });
        server.start();
        var props = GatewayContext.properties("http://127.0.0.1:" + server.getAddress().getPort(), "test-key");
        props.setProperty("attio.retry.initial-delay-millis", "20");
        context = new GatewayContext(props);
    }

    @AfterEach
    void stop() {
        context.close();
        server.stop(0);
    }

    @Test
    void clientErrorIsNormalisedAndNeverRetried() {
        script.add(new Answer(400, "{\"status_code\":400,\"type\":\"invalid_request_error\",\"code\":\"value_not_found\","
                + "\"message\":\"Unknown select option\"}"));

        AttioException e = catchThrowableOfType(AttioException.class,
                () -> context.gateway.createRecord("people", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("value_not_found");
        assertThat(e.getMessage()).isEqualTo("Unknown select option");
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0)).startsWith("POST /v2/objects/people/records auth=Bearer test-key body={\"data\":{\"values\":{}}}");
    }

    @Test
    void serverErrorIsRetriedThenSucceeds() {
        script.add(new Answer(502, "<html>Bad gateway</html>"));
        script.add(new Answer(500, "{\"status_code\":500,\"type\":\"api_error\",\"code\":\"internal\",\"message\":\"x\"}"));
        script.add(new Answer(200, "{\"active\":true,\"workspace_id\":\"w\"}"));

        JsonNode self = context.gateway.self();

        assertThat(self.path("active").asBoolean()).isTrue();
        assertThat(seen).hasSize(3).allMatch(line -> line.startsWith("GET /v2/self "));
    }

    @Test
    void nonJsonServerErrorIsNormalisedAfterRetriesRunOut() {
        for (int i = 0; i < 5; i++) {
            script.add(new Answer(503, "Service Unavailable"));
        }

        AttioException e = catchThrowableOfType(AttioException.class, () -> context.gateway.self());

        assertThat(seen).hasSize(5); // the first attempt and 4 redeliveries (attio.retry.max-redeliveries)
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.type()).isEqualTo("api_error");
        assertThat(e.code()).isEqualTo("http_503");
        assertThat(e.isRetriable()).isTrue();
        assertThat(seen).hasSize(5); // the first attempt and 4 redeliveries (attio.retry.max-redeliveries)
    }

    @Test
    void notFoundRecordIsEmptyAndRecordCacheServesRepeats() {
        script.add(new Answer(404, "{\"status_code\":404,\"type\":\"invalid_request_error\",\"code\":\"not_found\",\"message\":\"nope\"}"));
        assertThat(context.gateway.getRecord("people", "missing")).isEmpty();

        script.add(new Answer(200, "{\"data\":{\"id\":{\"record_id\":\"r1\"},\"values\":{}}}"));
        assertThat(context.gateway.getRecord("people", "r1")).isPresent();
        assertThat(context.gateway.getRecord("people", "r1")).isPresent();
        assertThat(seen).hasSize(2);

        context.gateway.invalidateRecord("people", "r1");
        script.add(new Answer(200, "{\"data\":{\"id\":{\"record_id\":\"r1\"},\"values\":{}}}"));
        assertThat(context.gateway.getRecord("people", "r1")).isPresent();
        assertThat(seen).hasSize(3);
    }
}

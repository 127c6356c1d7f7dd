package io.github.attiocamel.gateway;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Headers a caller sent with its message (a webhook's or an API request's Cookie, Host, CamelHttp*...) never steer
 * or reach the request to Attio: the real gateway routes, sending to an HTTP server that records exactly what
 * arrives (the simulator does not keep headers).
 */
class CallerHeadersTest {

    private record Arrived(String method, String path, String query, Map<String, List<String>> headers) {
    }

    private static final List<Arrived> ARRIVED = new CopyOnWriteArrayList<>();
    private static HttpServer attio;
    private static GatewayContext context;

    @BeforeAll
    static void start() throws Exception {
        attio = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        attio.createContext("/", exchange -> {
            Map<String, List<String>> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v));
            ARRIVED.add(new Arrived(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers));
            byte[] body = "{\"data\":{\"id\":{\"workspace_id\":\"w\"}}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        attio.start();
        context = new GatewayContext(GatewayContext.properties("http://127.0.0.1:" + attio.getAddress().getPort(),
                "the-attio-key"));
    }

    @AfterAll
    static void stop() {
        context.close();
        attio.stop(0);
    }

    @Test
    void aCallersHeadersNeverReachAttio() {
        Map<String, Object> callers = new HashMap<>();
        callers.put("Cookie", "session=stolen");
        callers.put("Host", "evil.example");
        callers.put("X-Forwarded-For", "10.0.0.1");
        callers.put("Authorization", "Bearer the-callers-token");
        callers.put("Attio-Signature", "abc");
        callers.put("Idempotency-Key", "caller-key");
        callers.put("CamelHttpMethod", "DELETE");
        callers.put("CamelHttpPath", "/v2/objects/people/records/victim");
        callers.put("CamelHttpUri", "http://evil.example/v2/x");
        callers.put("CamelHttpQuery", "evil=1");
        callers.put("CamelHttpUrl", "http://evil.example/v2/x");
        ARRIVED.clear();

        context.camel.createProducerTemplate().requestBodyAndHeaders(CamelAttioGateway.ROUTE,
                new AttioRequest(AttioRequest.READ, "self", "GET", "/v2/self", null, null, true), callers);

        assertThat(ARRIVED).hasSize(1);
        Arrived a = ARRIVED.get(0);
        assertThat(a.method()).isEqualTo("GET");
        assertThat(a.path()).isEqualTo("/v2/self");
        assertThat(a.query()).isNull();
        assertThat(a.headers()).doesNotContainKeys("cookie", "x-forwarded-for", "attio-signature", "idempotency-key");
        assertThat(a.headers().keySet()).noneMatch(h -> h.startsWith("camel"));
        assertThat(a.headers().get("host")).containsExactly("127.0.0.1:" + attio.getAddress().getPort());
        assertThat(a.headers().get("authorization")).containsExactly("Bearer the-attio-key");
    }
}

package io.github.attiocamel.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.config.StartupException;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bundle API's HTTP edge on the real bundle: its OpenAPI document, the JSON answers for unknown paths and wrong
 * methods, and the bearer token checked ahead of routing and of the body, whatever the path's spelling.
 */
class BundleApiHttpTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningBundle bundle;

    @BeforeAll
    static void start() {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey()).start();
    }

    @AfterAll
    static void stop() {
        bundle.close();
    }

    @Test
    void theOpenApiDocumentDescribesEveryOperationOfTheBundle() throws Exception {
        HttpResponse<String> r = send("GET", "/api/openapi.json", true);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("info").path("title").asText()).isEqualTo("Attio Camel bundle API");
        Map<String, List<String>> operations = Map.ofEntries(
                Map.entry("/api/ping", List.of("get")),
                Map.entry("/api/contacts", List.of("post")),
                Map.entry("/api/contacts:batch", List.of("post")),
                Map.entry("/api/jobs/{id}", List.of("get")),
                // POST /api/conflicts/{id}:resolve: the verb shares the path segment, so {id} carries "3:resolve"
                Map.entry("/api/conflicts", List.of("get")),
                Map.entry("/api/conflicts/{id}", List.of("post")),
                Map.entry("/api/dead-letters", List.of("get")),
                Map.entry("/api/dead-letters/{id}/replay", List.of("post")),
                Map.entry("/api/mirror/{object}", List.of("get")),
                Map.entry("/api/mirror/{object}/{record_id}", List.of("get")),
                Map.entry("/api/operations", List.of("get")),
                Map.entry("/api/sync/{object}", List.of("post")),
                Map.entry("/api/sync/lists/{list}", List.of("post")),
                Map.entry("/api/sync/runs/{run_id}", List.of("get")),
                Map.entry("/api/sync/runs/{run_id}/deletions:confirm", List.of("post")),
                Map.entry("/api/webhook", List.of("get")),
                Map.entry("/api/webhook:rotate", List.of("post")));
        List<String> paths = new ArrayList<>();
        doc.path("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).containsExactlyInAnyOrderElementsOf(operations.keySet());
        operations.forEach((path, methods) -> {
            JsonNode item = doc.path("paths").path(path);
            List<String> declared = new ArrayList<>();
            item.fieldNames().forEachRemaining(declared::add);
            assertThat(declared).as(path).containsExactlyElementsOf(methods);
            JsonNode op = item.path(methods.get(0));
            assertThat(op.path("operationId").asText()).as(path).isNotBlank();
            assertThat(op.path("summary").asText()).as(path).isNotBlank();
            JsonNode unauthorized = op.path("responses").path("401").path("content").path("application/json");
            assertThat(unauthorized.path("schema").path("$ref").asText()).as(path).endsWith("/ErrorBody");
            assertThat(unauthorized.path("examples").path("unauthorized").path("value").asText()).as(path)
                    .contains("\"error\":\"unauthorized\"");
            String success = path.startsWith("/api/sync/") && !path.contains("runs")
                    || path.endsWith(":batch") || path.endsWith("/replay") ? "202" : "200";
            assertThat(op.path("responses").path(success).path("content").path("application/json")
                    .path("examples").size()).as(path + " " + success).isPositive();
        });
        JsonNode record = doc.path("paths").path("/api/mirror/{object}/{record_id}").path("get");
        assertThat(record.path("parameters").findValuesAsText("name")).containsExactlyInAnyOrder("object", "record_id");
        assertThat(record.path("responses").path("404").path("content").path("application/json").path("examples")
                .path("not_found").path("value").asText()).contains("\"error\":\"not_found\"");
        assertThat(doc.path("paths").path("/api/mirror/{object}").path("get").path("parameters")
                .findValuesAsText("name")).contains("limit", "offset");
    }

    @Test
    void theOpenApiDocumentNeedsTheToken() throws Exception {
        HttpResponse<String> r = send("GET", "/api/openapi.json", false);

        assertUnauthorized(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
                r.headers().firstValue("WWW-Authenticate").orElse(null), r.body());
    }

    @Test
    void anUnknownApiPathIs404JsonForTheBearerAnd401WithoutIt() throws Exception {
        HttpResponse<String> r = send("GET", "/api/nope", true);

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(JSON.readTree(r.body()).path("message").asText()).isNotBlank();

        HttpResponse<String> anonymous = send("GET", "/api/nope", false);
        assertThat(anonymous.statusCode()).as("auth comes first under /api: no token, no map of the API").isEqualTo(401);
    }

    @Test
    void anUnknownPathOutsideTheApiIs404Json() throws Exception {
        HttpResponse<String> r = send("GET", "/nope", false);

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("not_found");
    }

    @Test
    void aWrongMethodIs405JsonWithTheMethodsThePathAccepts() throws Exception {
        assertMethodNotAllowed(send("GET", "/api/contacts", true), "POST");
        assertMethodNotAllowed(send("DELETE", "/api/ping", true), "GET");
        assertMethodNotAllowed(send("GET", "/webhooks/attio", false), "POST");
        assertMethodNotAllowed(send("PUT", "/api/jobs/some-job", true), "GET");
        assertMethodNotAllowed(send("DELETE", "/api/sync/people", true), "POST");
    }

    /**
     * The operations page (served from the management origin) may read /api: its preflight is answered without the
     * token, its calls still need it. No other origin gets a CORS header, so no other page can read an answer.
     */
    @Test
    void onlyTheOperationsPageOriginGetsCorsAndOnlyItsPreflightGoesWithoutTheToken() throws Exception {
        String page = bundle.managementUrl();
        HttpResponse<String> preflight = fromOrigin("OPTIONS", page, false);
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(page);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("GET", "POST");

        HttpResponse<String> anonymous = fromOrigin("GET", page, false);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Access-Control-Allow-Origin")).as("the page can say why").hasValue(page);
        HttpResponse<String> bearer = fromOrigin("GET", page, true);
        assertThat(bearer.statusCode()).isEqualTo(200);
        assertThat(bearer.headers().firstValue("Access-Control-Allow-Origin")).hasValue(page);
        assertThat(bearer.headers().allValues("Vary")).contains("Origin");
        assertThat(JSON.readTree(bearer.body()).path("attio").path("reads").path("per_second").asInt()).isEqualTo(100);

        for (String stranger : List.of("http://evil.example", "null", page + "0", page.replace("http:", "https:"))) {
            HttpResponse<String> refused = fromOrigin("OPTIONS", stranger, false);
            assertThat(refused.statusCode()).as(stranger).isEqualTo(401);
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).as(stranger).isEmpty();
            HttpResponse<String> read = fromOrigin("GET", stranger, true);
            assertThat(read.statusCode()).as(stranger).isEqualTo(200);
            assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).as(stranger).isEmpty();
        }
    }

    @Test
    void aWildcardOrAPathIsNoAllowedOrigin() {
        for (String setting : List.of("*", "http://localhost:9876/ops", "http://*.example", "localhost:9876")) {
            assertThatThrownBy(() -> ApiConfiguration.allowedOrigins(setting)).as(setting)
                    .isInstanceOf(StartupException.class).hasMessageContaining("attio.ops.allowed-origins");
        }
        assertThat(ApiConfiguration.allowedOrigins(" http://localhost:9876, https://ops.example ,"))
                .containsExactlyInAnyOrder("http://localhost:9876", "https://ops.example");
    }

    /** The page, on the management port only, may run nothing but its own script and talk to nothing but the API. */
    @Test
    void theOperationsPageIsServedOnTheManagementPort() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(bundle.managementUrl() + "/ops")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        String httpPort = bundle.httpUrl().substring(bundle.httpUrl().lastIndexOf(':') + 1);
        assertThat(r.body()).contains("/api/operations", "data-api-port=\"" + httpPort + "\"",
                "data-refresh-millis=\"3000\"", "sessionStorage").doesNotContain("%API_");
        String policy = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(policy).contains("default-src 'none'", "script-src 'sha256-", "frame-ancestors 'none'",
                "connect-src http://127.0.0.1:" + httpPort).doesNotContain("unsafe-inline");
        assertThat(send("GET", "/ops", false).statusCode()).as("not on the HTTP port").isEqualTo(404);
    }

    private static HttpResponse<String> fromOrigin(String method, String origin, boolean token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(bundle.httpUrl() + "/api/operations"))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin);
        if ("OPTIONS".equals(method)) {
            r.header("Access-Control-Request-Method", "GET").header("Access-Control-Request-Headers", "authorization");
        }
        if (token) {
            r.header("Authorization", "Bearer " + bundle.apiToken());
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aWrongMethodWithoutTheTokenIs401() throws Exception {
        assertThat(send("DELETE", "/api/ping", false).statusCode()).isEqualTo(401);
    }

    /** Each spelling reaches GET /api/ping with the token (so it is a real way in), and is refused without it. */
    @Test
    void noSpellingOfAnApiPathGetsPastTheTokenCheck() throws Exception {
        for (String path : List.of("/api/ping", "//api/ping", "/api/./ping", "/api/x/../ping", "/%61pi/ping",
                "/x/../api/ping", "/api//ping")) {
            RawAnswer anonymous = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(anonymous.status()).as(path + " without a token").isEqualTo(401);
            assertUnauthorized(anonymous.status(), anonymous.header("content-type"),
                    anonymous.header("www-authenticate"), anonymous.body());

            RawAnswer bearer = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + bundle.apiToken() + "\r\nConnection: close\r\n\r\n");
            assertThat(bearer.status()).as(path + " with the token").isEqualTo(200);
            assertThat(bearer.body()).isEqualTo("{\"status\":\"ok\"}");
        }
        for (String path : List.of("/API/ping", "/api%2Fping", "/Api/nope")) {
            RawAnswer anonymous = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(anonymous.status()).as(path + " without a token").isEqualTo(401);
        }
    }

    /** A body the client announces but never sends would hold a body-reading check forever; this one answers. */
    @Test
    void theTokenIsCheckedBeforeTheBodyIsRead() throws Exception {
        RawAnswer r = raw("POST /api/contacts:batch HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000000000\r\n\r\n[{\"email\":");

        assertUnauthorized(r.status(), r.header("content-type"), r.header("www-authenticate"), r.body());
        assertThat(r.header("connection")).as("the unread body cannot be followed by another request").isEqualTo("close");
    }

    private static void assertMethodNotAllowed(HttpResponse<String> r, String allow) throws IOException {
        assertThat(r.statusCode()).as(r.request().method() + " " + r.uri()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).as(r.uri().toString()).hasValue(allow);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("error").asText()).isEqualTo("method_not_allowed");
        assertThat(body.path("message").asText()).contains(r.request().method(), allow);
    }

    private static void assertUnauthorized(int status, String contentType, String challenge, String body)
            throws IOException {
        assertThat(status).isEqualTo(401);
        assertThat(contentType).isEqualTo("application/json");
        assertThat(challenge).isEqualTo("Bearer");
        JsonNode json = JSON.readTree(body);
        assertThat(json.path("error").asText()).isEqualTo("unauthorized");
        assertThat(json.path("message").asText()).isEqualTo("missing bearer token");
    }

    private static HttpResponse<String> send(String method, String path, boolean token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token) {
            r.header("Authorization", "Bearer " + bundle.apiToken());
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Status, headers (lower-case names) and body of one answer on a raw socket, so a path is sent as written. */
    private record RawAnswer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** Sends the bytes as written and reads one answer; fails if none comes within 10 s. */
    private static RawAnswer raw(String request) throws IOException {
        URI u = URI.create(bundle.httpUrl());
        try (Socket socket = new Socket(u.getHost(), u.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new java.util.HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
            }
            byte[] body;
            if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else {
                body = dechunk(in);
            }
            return new RawAnswer(status, headers, new String(body, StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within 10 s to: " + request.lines().findFirst().orElse(""), e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the answer's head ended: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            StringBuilder size = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    return body.toByteArray();
                }
                if (b != '\r') {
                    size.append((char) b);
                }
            }
            int n = Integer.parseInt(size.toString().trim(), 16);
            if (n == 0) {
                return body.toByteArray();
            }
            body.write(in.readNBytes(n));
            in.readNBytes(2);
        }
    }
}

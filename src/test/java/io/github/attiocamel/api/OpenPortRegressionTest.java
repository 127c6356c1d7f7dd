package io.github.attiocamel.api;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RawHttp;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What held when the open port was attacked, kept as regression tests on the real bundle, on raw sockets so every
 * request goes out exactly as written: the bearer token's variants, path and method tricks, injection strings in
 * query and path parameters, the webhook signature headers, and control characters in headers.
 */
class OpenPortRegressionTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final Duration WAIT = Duration.ofSeconds(10);
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
    void everyWrongWayOfPresentingTheTokenIs401() throws Exception {
        String token = bundle.apiToken();
        for (String authorization : List.of("", "Authorization: Bearer \r\n", "Authorization: Bearer\r\n",
                "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(("x:" + token).getBytes())
                        + "\r\n",
                "Authorization: Bearer " + token + "x\r\n", "Authorization: Bearer " + token.substring(1) + "\r\n",
                "Authorization: Bearer\t" + token + "\r\n", "Authorization: " + token + "\r\n",
                "Authorization: Bearer " + token + "\r\nAuthorization: Bearer wrong\r\n",
                "Authorization: Bearer wrong\r\nAuthorization: Bearer " + token + "\r\n")) {
            RawHttp.Answer a = get("/api/ping", authorization);
            assertThat(a.status()).as(authorization).isEqualTo(401);
            assertThat(a.body()).as(authorization).contains("\"error\":\"unauthorized\"").doesNotContain(token);
        }
        assertThat(get("/api/ping", "Authorization: Bearer " + token + "\r\n").status()).as("the right one").isEqualTo(200);
    }

    @Test
    void noPathSpellingOrMethodTrickGetsPastTheToken() throws Exception {
        for (String path : List.of("/webhooks/../api/ping", "/webhooks/%2e%2e/api/ping", "/api/ping/", "/api/ping;x=1",
                "/api/%70ing")) {
            assertThat(get(path, "").status()).as(path).isEqualTo(401);
        }
        for (String method : List.of("HEAD", "OPTIONS", "TRACE", "DELETE", "PUT")) {
            try (RawHttp c = RawHttp.connect(bundle.httpUrl())) {
                c.send(method + " /api/ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
                RawHttp.Answer a = method.equals("HEAD") ? c.readHeadOnly(WAIT) : c.read(WAIT);
                assertThat(a.status()).as(method).isEqualTo(401);
            }
        }
        RawHttp.Answer override = get("/api/ping", "X-HTTP-Method-Override: DELETE\r\nX-HTTP-Method: DELETE\r\n");
        assertThat(override.status()).as("an override header is no way in").isEqualTo(401);
        RawHttp.Answer trace = get("/api/ping", "Authorization: Bearer " + bundle.apiToken() + "\r\n"
                + "X-HTTP-Method-Override: TRACE\r\n");
        assertThat(trace.status()).as("nor does it change the method").isEqualTo(200);
        assertThat(trace.body()).isEqualTo("{\"status\":\"ok\"}");
        try (RawHttp c = RawHttp.connect(bundle.httpUrl())) {
            RawHttp.Answer a = c.send("TRACE /api/ping HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + bundle.apiToken() + "\r\nX-Probe: echo-me\r\nConnection: close\r\n\r\n").read(WAIT);
            assertThat(a.status()).as("TRACE is not served").isEqualTo(405);
            assertThat(a.body()).doesNotContain("echo-me", bundle.apiToken());
        }
    }

    @Test
    void injectionStringsInQueryAndPathParametersAreJustValues() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        String bearer = "Authorization: Bearer " + bundle.apiToken() + "\r\n";
        for (String injection : List.of("1;DROP TABLE mirror_record", "1 OR 1=1", "1' OR '1'='1", "1--", "0x10",
                "-1", "1e3", "99999999999999999999")) {
            String q = URLEncoder.encode(injection, StandardCharsets.UTF_8);
            assertThat(get("/api/mirror/people?limit=" + q, bearer).status()).as("limit " + injection).isEqualTo(400);
            assertThat(get("/api/mirror/people?offset=" + q, bearer).status()).as("offset " + injection).isEqualTo(400);
        }
        for (String injection : List.of("x' OR '1'='1", "x\"; DROP TABLE mirror_record; --", "%27%20OR%201=1--")) {
            String p = URLEncoder.encode(injection, StandardCharsets.UTF_8).replace("+", "%20");
            RawHttp.Answer record = get("/api/mirror/people/" + p, bearer);
            assertThat(record.status()).as("record " + injection).isIn(400, 404);
            RawHttp.Answer object = get("/api/mirror/" + p + "/00000000-0000-4000-8000-000000000000", bearer);
            assertThat(object.status()).as("object " + injection).isIn(400, 404);
            RawHttp.Answer replay = post("/api/dead-letters/" + p + "/replay", bearer);
            assertThat(replay.status()).as("dead letter " + injection).isIn(400, 404);
        }
        RawHttp.Answer still = get("/api/mirror/people?limit=1", bearer);
        assertThat(still.status()).as("the mirror's table is still there").isEqualTo(200);
        assertThat(still.body()).contains("\"data\"");
    }

    @Test
    void aWrongAttioSignatureIsRefusedWhateverTheLegacyHeaderSays() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(1);
        String body = sim.recordEvent("record.created", "people", sim.data().recordIds("people").get(0));
        String right = AttioSimulator.sign(body.getBytes(StandardCharsets.UTF_8), bundle.webhookSecret());
        String wrong = AttioSimulator.sign(body.getBytes(StandardCharsets.UTF_8), "not-the-secret");

        assertThat(webhook(body, "Attio-Signature: " + wrong + "\r\nX-Attio-Signature: " + right + "\r\n").status())
                .isEqualTo(401);
        assertThat(webhook(body, "Attio-Signature: \r\nX-Attio-Signature: " + right + "\r\n").status())
                .as("a blank Attio-Signature is not absent").isEqualTo(401);
        assertThat(webhook(body, "Attio-Signature: " + right + "\r\nAttio-Signature: " + wrong + "\r\n").status())
                .as("two Attio-Signature headers").isIn(400, 401);
        assertThat(webhook(body, "Attio-Signature: " + right + "\r\nX-Attio-Signature: " + wrong + "\r\n").status())
                .as("the right one still gets in").isEqualTo(200);
    }

    @Test
    void controlCharactersInHeadersAreRefused() throws Exception {
        for (String header : List.of("X-Probe: a\u0001b\r\n", "X-Probe: a\u0000b\r\n", "X-Pr\u0001obe: a\r\n",
                "X-Probe : a\r\n", "X-Probe: a\rInjected: b\r\n")) {
            try (RawHttp c = RawHttp.connect(bundle.httpUrl())) {
                RawHttp.Answer a = c.send("GET /api/ping HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                        + bundle.apiToken() + "\r\n" + header + "Connection: close\r\n\r\n").read(WAIT);
                assertThat(a.status()).as(header.replace("\u0001", "\\u0001").replace("\u0000", "\\u0000")
                        .replace("\r", "\\r")).isEqualTo(400);
            }
        }
    }

    private static RawHttp.Answer get(String path, String headers) throws Exception {
        try (RawHttp c = RawHttp.connect(bundle.httpUrl())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "Connection: close\r\n\r\n")
                    .read(WAIT);
        }
    }

    private static RawHttp.Answer post(String path, String headers) throws Exception {
        try (RawHttp c = RawHttp.connect(bundle.httpUrl())) {
            return c.send("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers
                    + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}").read(WAIT);
        }
    }

    private static RawHttp.Answer webhook(String body, String headers) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (RawHttp c = RawHttp.connect(bundle.httpUrl())) {
            return c.send("POST /webhooks/attio HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + headers + "Idempotency-Key: reg-" + java.util.UUID.randomUUID() + "\r\nContent-Length: "
                    + bytes.length + "\r\nConnection: close\r\n\r\n" + new String(bytes, StandardCharsets.ISO_8859_1))
                    .read(WAIT);
        }
    }
}

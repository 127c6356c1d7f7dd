package io.github.attiocamel.webhook;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookVerifierTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void envelopeWithAnyNumberOfEventsIsAccepted() {
        assertThat(WebhookVerifier.checkEnvelope(bytes(WebhookSignatureTest.VECTOR_BODY))).isEqualTo(1);
        assertThat(WebhookVerifier.checkEnvelope(bytes("{\"webhook_id\":\"w\",\"events\":[]}"))).isZero();
        assertThat(WebhookVerifier.checkEnvelope(bytes(
                "{\"webhook_id\":\"w\",\"events\":[{\"event_type\":\"a\"},{\"event_type\":\"b\"}]}"))).isEqualTo(2);
    }

    @Test
    void malformedBodiesAreRefused400WithAReason() {
        assertRejected("{not json", "invalid_json");
        assertRejected("", "invalid_envelope");
        assertRejected("[1,2]", "invalid_envelope");
        assertRejected("{\"events\":[]}", "invalid_envelope");
        assertRejected("{\"webhook_id\":\"w\",\"events\":{}}", "invalid_envelope");
        assertRejected("{\"webhook_id\":\"w\",\"events\":[{\"id\":{}}]}", "invalid_envelope");
    }

    private static void assertRejected(String body, String code) {
        assertThatThrownBy(() -> WebhookVerifier.checkEnvelope(bytes(body)))
                .isInstanceOfSatisfying(WebhookRejection.class, r -> {
                    assertThat(r.getStatus()).isEqualTo(400);
                    assertThat(r.getCode()).isEqualTo(code);
                    assertThat(r.getResponseBody()).startsWith("{\"error\":\"" + code + "\"");
                });
    }

    @Test
    void deliveryKeyIsTheIdempotencyKeyElseABodyHash() {
        assertThat(WebhookVerifier.deliveryKey(" key-1 ", bytes("{}"))).isEqualTo("key-1");
        assertThat(WebhookVerifier.deliveryKey(null, bytes("{}")))
                .isEqualTo(WebhookVerifier.deliveryKey("", bytes("{}")))
                .startsWith("sha256:")
                .isNotEqualTo(WebhookVerifier.deliveryKey(null, bytes("{ }")));
        assertThat(WebhookVerifier.deliveryKey("k".repeat(500), bytes("{}"))).startsWith("sha256-key:").hasSizeLessThan(100);
    }
}

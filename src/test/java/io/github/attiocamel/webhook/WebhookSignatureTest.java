package io.github.attiocamel.webhook;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignatureTest {

    /** ATTIO-API.md's test vector, exact bytes. */
    static final String VECTOR_BODY = "{\"webhook_id\":\"23e42eaf-323a-41da-b5bb-fd67eebda553\",\"events\":[{\"event_type\":"
            + "\"record.created\",\"id\":{\"workspace_id\":\"14beef7a-99f7-4534-a87e-70b564330a4c\",\"object_id\":"
            + "\"97052eb9-e65e-443f-a297-f2d9a4a7f795\",\"record_id\":\"bf071e1f-6035-429d-b874-d83ea64ea13b\"},"
            + "\"actor\":{\"type\":\"workspace-member\",\"id\":\"50cf242c-7fa3-4cad-87d0-75b1af71c57b\"}}]}";
    static final String VECTOR_SIGNATURE = "1d4795bd5d93120a4b59d82076c4219bf6b370017a84957f312e9eded54dc07c";

    private final byte[] body = VECTOR_BODY.getBytes(StandardCharsets.UTF_8);

    @Test
    void attioTestVectorVerifies() {
        assertThat(WebhookSignature.sign("test-webhook-secret", body)).isEqualTo(VECTOR_SIGNATURE);
        assertThat(new WebhookSignature("test-webhook-secret", null).verify(body, VECTOR_SIGNATURE)).isTrue();
    }

    @Test
    void oneFlippedByteInBodyOrSignatureFails() {
        WebhookSignature signature = new WebhookSignature("test-webhook-secret", null);
        byte[] flipped = body.clone();
        flipped[10] ^= 1;
        assertThat(signature.verify(flipped, VECTOR_SIGNATURE)).isFalse();
        String flippedSignature = (VECTOR_SIGNATURE.charAt(0) == '1' ? "0" : "1") + VECTOR_SIGNATURE.substring(1);
        assertThat(signature.verify(body, flippedSignature)).isFalse();
    }

    @Test
    void previousSecretIsAcceptedDuringRotation() {
        WebhookSignature rotating = new WebhookSignature("new-secret", "test-webhook-secret");
        assertThat(rotating.verify(body, VECTOR_SIGNATURE)).isTrue();
        assertThat(rotating.verify(body, WebhookSignature.sign("new-secret", body))).isTrue();
        assertThat(rotating.verify(body, WebhookSignature.sign("other-secret", body))).isFalse();
    }

    @Test
    void noSecretOrGarbageSignatureNeverVerifies() {
        assertThat(new WebhookSignature("", null).isConfigured()).isFalse();
        assertThat(new WebhookSignature(null, " ").verify(body, VECTOR_SIGNATURE)).isFalse();
        WebhookSignature signature = new WebhookSignature("test-webhook-secret", null);
        assertThat(signature.verify(body, null)).isFalse();
        assertThat(signature.verify(body, "not-hex")).isFalse();
        assertThat(signature.verify(body, VECTOR_SIGNATURE.substring(2))).isFalse();
        assertThat(signature.verify(body, VECTOR_SIGNATURE.toUpperCase())).isTrue();
    }
}

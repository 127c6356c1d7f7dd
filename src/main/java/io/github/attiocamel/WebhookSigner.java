package io.github.attiocamel;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * {@code java -jar attio-camel.jar sign}: the {@code Attio-Signature} header Attio would send with a body, so a user
 * can sign a test delivery exactly as the bundle verifies it (lowercase hex of HMAC-SHA256 over the raw bytes, keyed
 * with the webhook secret). The body is read byte for byte: a trailing newline is part of what gets signed.
 */
final class WebhookSigner {

    static final String HEADER = "Attio-Signature";

    private WebhookSigner() {}

    /** Exit code 0 with the header line on {@code out}, or 2 with one line on {@code err} when no secret is set. */
    static int run(InputStream body, String secret, PrintStream out, PrintStream err) throws IOException {
        if (secret == null || secret.isEmpty()) {
            err.println("attio-camel sign: set ATTIO_WEBHOOK_SECRET to the webhook's secret; the body is read from stdin,"
                    + " e.g. printf '%s' \"$BODY\" | ATTIO_WEBHOOK_SECRET=... java -jar attio-camel.jar sign");
            return 2;
        }
        out.println(HEADER + ": " + hmacHex(secret, body.readAllBytes()));
        return 0;
    }

    static String hmacHex(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
        }
    }
}

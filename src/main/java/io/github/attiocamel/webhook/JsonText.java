package io.github.attiocamel.webhook;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The text of a JSON body in the encoding it was sent in, detected as JSON parsers do (RFC 4627 section 3: a byte-order
 * mark, else the pattern of zero bytes among the first four), so the inbox keeps exactly what was verified and can
 * read it back. Without this a UTF-16 delivery, accepted because the parser detected its encoding, was stored as
 * UTF-8 garbage.
 */
final class JsonText {

    private static final Charset UTF_32BE = Charset.forName("UTF-32BE");
    private static final Charset UTF_32LE = Charset.forName("UTF-32LE");

    private JsonText() {}

    static String decode(byte[] b) {
        int n = b.length;
        if (n >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
            return new String(b, 3, n - 3, StandardCharsets.UTF_8);
        }
        if (n >= 4 && b[0] == 0 && b[1] == 0 && (b[2] & 0xFF) == 0xFE && (b[3] & 0xFF) == 0xFF) {
            return new String(b, 4, n - 4, UTF_32BE);
        }
        if (n >= 4 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE && b[2] == 0 && b[3] == 0) {
            return new String(b, 4, n - 4, UTF_32LE);
        }
        if (n >= 2 && (b[0] & 0xFF) == 0xFE && (b[1] & 0xFF) == 0xFF) {
            return new String(b, 2, n - 2, StandardCharsets.UTF_16BE);
        }
        if (n >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE) {
            return new String(b, 2, n - 2, StandardCharsets.UTF_16LE);
        }
        if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0) {
            return new String(b, UTF_32BE);
        }
        if (n >= 4 && b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0) {
            return new String(b, UTF_32LE);
        }
        if (n >= 2 && b[0] == 0 && b[1] != 0) {
            return new String(b, StandardCharsets.UTF_16BE);
        }
        if (n >= 2 && b[0] != 0 && b[1] == 0) {
            return new String(b, StandardCharsets.UTF_16LE);
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}

package io.github.attiocamel.webhook;

/**
 * A delivery refused before anything was stored. The intake's route configuration turns it into the HTTP status and
 * a JSON body {@code {"error": code, "message": ...}}; the message never echoes the body or a signature.
 */
public class WebhookRejection extends RuntimeException {

    private final int status;
    private final String code;

    public WebhookRejection(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int getStatus() {
        return status;
    }

    public String getCode() {
        return code;
    }

    /** The response body, built here so the YAML stays a one-liner. */
    public String getResponseBody() {
        return "{\"error\":\"" + code + "\",\"message\":\"" + getMessage().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }
}

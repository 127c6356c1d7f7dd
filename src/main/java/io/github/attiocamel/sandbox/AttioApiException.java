package io.github.attiocamel.sandbox;

/** An answer the simulated Attio gives instead of a result: status plus Attio's error body fields. */
final class AttioApiException extends RuntimeException {

    final int status;
    final String type;
    final String code;

    AttioApiException(int status, String type, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
    }

    static AttioApiException invalid(String code, String message) {
        return new AttioApiException(400, "invalid_request_error", code, message);
    }

    static AttioApiException notFound(String message) {
        return new AttioApiException(404, "invalid_request_error", "not_found", message);
    }
}

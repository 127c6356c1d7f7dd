package io.github.attiocamel.gateway;

import java.time.Instant;

/**
 * Every failure talking to Attio, normalised: Attio's error body ({@code status_code, type, code, message}) or,
 * for failures that never produced one (I/O, breaker open), a synthetic one in the same shape.
 */
public class AttioException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final Instant retryAfter;

    public AttioException(int status, String type, String code, String message, Instant retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.type = type;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public AttioException(int status, String type, String code, String message) {
        this(status, type, code, message, null, null);
    }

    /** HTTP status Attio answered, or 503 for I/O failures and an open breaker. */
    public int status() { return status; }

    /** Attio's error {@code type}, e.g. {@code invalid_request_error}, {@code rate_limit_error}. */
    public String type() { return type; }

    /** Attio's error {@code code}, e.g. {@code value_not_found}, {@code rate_limit_exceeded}. */
    public String code() { return code; }

    /** When Attio said to come back (429), or null. */
    public Instant retryAfter() { return retryAfter; }

    /** 429, 5xx and I/O failures may succeed later; any other 4xx never will (the request itself is wrong). */
    public boolean isRetriable() { return status == 429 || status >= 500; }

    /** An I/O failure or 5xx after the request went out, not an open breaker (which sent nothing): a create may exist. */
    public boolean mayHaveLanded() {
        return status >= 500 && !AttioResponses.UNAVAILABLE_CODE.equals(code);
    }

    @Override
    public String toString() {
        return "AttioException{status=" + status + ", type=" + type + ", code=" + code + ", message=" + getMessage() + "}";
    }
}

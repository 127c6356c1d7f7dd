package io.github.attiocamel.api;

/** The caller of /api did not present the bundle's bearer token (or none is configured). */
class UnauthorizedException extends RuntimeException {

    public UnauthorizedException(String message) {
        super(message);
    }
}

package io.github.attiocamel.api;

import java.util.Map;

/**
 * The JSON error answer of the bundle API, as {@link ApiErrors} writes it: the schema the OpenAPI document gives
 * every error response. Only {@code error} is always present; {@code fields} comes with 400 validation errors,
 * {@code status} and {@code code} with Attio's refusals (422, 503).
 */
public record ErrorBody(String error, String message, Map<String, String> fields, Integer status, String code) {
}

package io.github.attiocamel.contacts;

import io.github.attiocamel.gateway.AttioException;

/**
 * A value Attio would refuse (unknown select option or status title, unknown attribute), found against the schema
 * cache BEFORE any write. Shaped like Attio's own 400 {@code value_not_found} so the API answers it as every Attio
 * refusal (422 with code and message) and a batch records it the same way; the message names the valid titles.
 */
class SchemaMismatchException extends AttioException {

    public SchemaMismatchException(String message) {
        super(400, "invalid_request_error", "value_not_found", message);
    }
}

package io.github.attiocamel.store;

/** A row of a batch that was not upserted: its 1-based number in the input, and why. */
public record ContactJobFailure(int rowNo, String email, int httpStatus, String errorCode, String message,
                                String fieldsJson) {
}

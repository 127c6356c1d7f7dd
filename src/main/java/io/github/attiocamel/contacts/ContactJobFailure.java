package io.github.attiocamel.contacts;

/** A row of a batch that was not upserted: its 1-based number in the input, and why. */
record ContactJobFailure(int rowNo, String email, int httpStatus, String errorCode, String message,
                                String fieldsJson) {
}

package io.github.attiocamel.api;

/** A request body over the bundle's limit (attio.api.max-upload-bytes): answered 413, nothing kept. */
public class PayloadTooLargeException extends RuntimeException {

    public PayloadTooLargeException(long limitBytes) {
        super("body over " + limitBytes + " bytes (attio.api.max-upload-bytes); larger imports go through the "
                + "file drop (attio.contacts.import-dir)");
    }
}

package io.github.attiocamel.api;

/** A request body over the bundle's limit (camel.server.max-body-size): answered 413, nothing kept. */
public class PayloadTooLargeException extends RuntimeException {

    public PayloadTooLargeException(long limitBytes) {
        super("body over " + limitBytes + " bytes (camel.server.max-body-size); larger imports go through the "
                + "file drop (attio.contacts.import-dir)");
    }
}

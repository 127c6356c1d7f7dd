package io.github.attiocamel.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.camel.Exchange;
import org.apache.camel.component.jackson.JacksonDataFormat;

/**
 * The REST binding's JSON data format ({@code camel.rest.json-data-format}): Jackson, except that a request body that
 * is not JSON reaches the route as the text sent instead of failing in the binding. A binding failure happens before
 * the route, so no error handler sees it and the caller would get an empty 400 outside the error contract; this way
 * the routes that read a body answer 400 {@code {"error":"validation","fields":{"body":...}}} themselves, and those
 * that read none ignore it, as they did before the REST DSL.
 */
final class LenientJsonBinding extends JacksonDataFormat {

    /** Registry name of the factory Camel asks for the data format named {@value #NAME}. */
    static final String FACTORY = LenientJsonBinding.NAME + "-dataformat-factory";
    static final String NAME = "bundleApiJson";

    @Override
    public Object unmarshal(Exchange exchange, Object body) throws Exception {
        // the binding has already read the body into a String; keep it to hand back
        String text = exchange.getContext().getTypeConverter().convertTo(String.class, exchange, body);
        try {
            return super.unmarshal(exchange, text);
        } catch (JsonProcessingException notJson) {
            return text;
        }
    }

    @Override
    public String getDataFormatName() {
        return NAME;
    }
}

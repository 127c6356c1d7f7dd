package io.github.attiocamel.api;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;

import java.util.Locale;
import java.util.Set;

/**
 * Header filter of every {@code platform-http} endpoint (webhooks and {@code /api/*}). Inbound it is Camel's HTTP
 * filter. Outbound only the headers a response of ours may carry pass: message headers are otherwise the request's
 * (Authorization, Attio-Signature, cookies) and the flows' own (AttioJobId...), and echoing them leaks credentials
 * and internals to whoever called.
 */
final class ResponseHeaderFilter extends HttpHeaderFilterStrategy {

    private static final Set<String> RESPONSE_HEADERS =
            Set.of("content-type", "retry-after", "location", "www-authenticate", "allow", "cache-control");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !RESPONSE_HEADERS.contains(headerName.toLowerCase(Locale.ROOT))
                || super.applyFilterToCamelHeaders(headerName, headerValue, exchange);
    }
}

package io.github.attiocamel.gateway;

import java.util.regex.Pattern;

/**
 * One call to Attio as the gateway route sends it: the budget it is paced under, the endpoint class its metrics and
 * log lines name, and the HTTP request itself. Built only by {@link CamelAttioGateway} from validated path segments;
 * the route {@code attio-gateway-attempt} turns it into the HTTP call, field by field, where the reader sees it.
 *
 * @param budget   {@value #READ} or {@value #WRITE}, as Attio counts the call (GET, query and search are reads)
 * @param endpoint endpoint class for metrics and logs, e.g. {@code records.query}
 * @param method   HTTP method
 * @param path     path from {@code /v2}, its segments already encoded
 * @param query    query string without {@code ?}, or null
 * @param body     JSON request body, or null
 * @param repeatable whether sending it twice does no more than once (reads, asserts, updates); a create after an
 *                 answer that may have been lost is retried only by its caller, once it looked for the effect
 */
public record AttioRequest(String budget, String endpoint, String method, String path, String query, String body,
                           boolean repeatable) {

    /**
     * A dot segment, as sent or percent-encoded: any path-normalising hop between here and Attio would turn the
     * request into one for another endpoint, so no request carries one, whatever built its path.
     */
    private static final Pattern DOT_SEGMENT = Pattern.compile("(?i)(^|/)(\\.|%2e){1,2}(/|$)");

    public AttioRequest {
        if (path == null || !path.startsWith("/") || DOT_SEGMENT.matcher(path).find()) {
            throw new IllegalArgumentException("refused path to Attio: " + path);
        }
    }

    public static final String READ = "read";
    public static final String WRITE = "write";
}

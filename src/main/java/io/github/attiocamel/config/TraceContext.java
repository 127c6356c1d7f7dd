package io.github.attiocamel.config;

import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The W3C trace context ({@code traceparent}) of the span current on this thread, for the work a flow hands on
 * beyond one exchange: an inbox row or outbox message continued later (stored with the row), a call to Attio made
 * through a producer template (a new exchange). Everything answers "no trace" while tracing is off (no span is ever
 * current) and where the OpenTelemetry API is not on the class path at all (the thin Karaf bundle without it).
 */
public final class TraceContext {

    /** version 00, 32 hex trace id, 16 hex parent span id, 2 hex flags: all a stored context may be. */
    private static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final boolean AVAILABLE = available();

    private TraceContext() {}

    /** The current span's traceparent, or null when no span is current. */
    public static String traceparent() {
        return AVAILABLE ? OpenTelemetryContext.traceparent() : null;
    }

    /** A well-formed traceparent as given, else null: what a sender put in a header is stored only if it is one. */
    public static String valid(String traceparent) {
        return traceparent != null && TRACEPARENT.matcher(traceparent).matches() ? traceparent : null;
    }

    /**
     * Writes the current span's context as the W3C propagation headers (as Camel's tracer does on every send), so the
     * exchange a producer template starts continues the caller's trace; writes nothing when no span is current.
     */
    public static void propagate(BiConsumer<String, String> headers) {
        if (AVAILABLE) {
            OpenTelemetryContext.inject(headers);
        }
    }

    private static boolean available() {
        try {
            Class.forName("io.opentelemetry.api.trace.Span", false, TraceContext.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }
}

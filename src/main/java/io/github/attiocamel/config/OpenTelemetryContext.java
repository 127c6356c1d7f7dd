package io.github.attiocamel.config;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;

import java.util.function.BiConsumer;

/** {@link TraceContext}'s use of the OpenTelemetry API, in a class of its own so it is loaded only where that is. */
final class OpenTelemetryContext {

    private OpenTelemetryContext() {}

    static String traceparent() {
        SpanContext span = Span.current().getSpanContext();
        return span.isValid() ? "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex()
                : null;
    }

    static void inject(BiConsumer<String, String> headers) {
        if (Span.current().getSpanContext().isValid()) {
            W3CTraceContextPropagator.getInstance().inject(Context.current(), headers, BiConsumer::accept);
        }
    }
}

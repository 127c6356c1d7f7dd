package io.github.attiocamel.config;

import org.apache.logging.log4j.core.util.ContextDataProvider;

import java.util.Map;

/**
 * Adds {@code trace_id} and {@code span_id} of the span current on the logging thread to every log event's context
 * data (log4j2 finds it by its service file), so LOG_FORMAT=json lines name the trace they belong to. Nothing while
 * tracing is off.
 */
public final class TraceLogFields implements ContextDataProvider {

    @Override
    public Map<String, String> supplyContextData() {
        String traceparent = TraceContext.traceparent();
        if (traceparent == null) {
            return Map.of();
        }
        // 00-<32 hex trace id>-<16 hex span id>-<flags>
        return Map.of("trace_id", traceparent.substring(3, 35), "span_id", traceparent.substring(36, 52));
    }
}

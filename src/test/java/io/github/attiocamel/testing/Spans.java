package io.github.attiocamel.testing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * The spans a traced bundle exported to an in-memory exporter (attio.tracing.enabled with a {@code SpanExporter}
 * bean), read as trees: which span a predicate finds, and whether one descends from another through its parents.
 */
public final class Spans {

    private final List<SpanData> spans;
    private final Map<String, SpanData> byId = new HashMap<>();

    private Spans(List<SpanData> spans) {
        this.spans = spans;
        spans.forEach(s -> byId.put(s.getSpanId(), s));
    }

    /** What the exporters hold once one exported span matches {@code until} (the batch exports asynchronously). */
    public static Spans awaitExported(Predicate<SpanData> until, InMemorySpanExporter... exporters) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<SpanData> all = new ArrayList<>();
            for (InMemorySpanExporter exporter : exporters) {
                all.addAll(exporter.getFinishedSpanItems());
            }
            return new Spans(all);
        }, s -> s.first(until).isPresent());
    }

    /** These and the given spans (an exporter's, read before its bundle stopped: a stop empties it). */
    public Spans plus(List<SpanData> more) {
        List<SpanData> all = new ArrayList<>(spans);
        all.addAll(more);
        return new Spans(all);
    }

    public List<SpanData> list() {
        return List.copyOf(spans);
    }

    public Optional<SpanData> first(Predicate<SpanData> which) {
        return spans.stream().filter(which).findFirst();
    }

    public SpanData one(Predicate<SpanData> which, String what) {
        return first(which).orElseThrow(() -> new AssertionError("no " + what + " span among " + names()));
    }

    public List<SpanData> all(Predicate<SpanData> which) {
        return spans.stream().filter(which).toList();
    }

    /** True when {@code ancestor} is reached from {@code span} by following parent ids (a span is not its own). */
    public boolean descends(SpanData span, SpanData ancestor) {
        for (SpanData s = byId.get(span.getParentSpanId()); s != null; s = byId.get(s.getParentSpanId())) {
            if (s.getSpanId().equals(ancestor.getSpanId())) {
                return true;
            }
        }
        return false;
    }

    public static Predicate<SpanData> attribute(String key, String value) {
        return s -> value.equals(s.getAttributes().get(AttributeKey.stringKey(key)));
    }

    public static Predicate<SpanData> attributeStarts(String key, String prefix) {
        return s -> {
            String v = s.getAttributes().get(AttributeKey.stringKey(key));
            return v != null && v.startsWith(prefix);
        };
    }

    private List<String> names() {
        return spans.stream().map(SpanData::getName).distinct().toList();
    }
}

package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Attribute filters of the change feed, {@code attio.changes.attributes.<object or list> = slug,slug}: an update of a
 * record or entry in a filtered container is published only when one of those attributes' values differs from the
 * mirror's previous row. The value comparison decides, not the event's {@code attribute_id}: a {@code system}
 * formula recompute that changed nothing asked for publishes nothing. Created and deleted are always published; a
 * container without a filter publishes every change.
 */
public final class ChangeFilter {

    public static final String PREFIX = "attio.changes.attributes.";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Set<String>> slugsByContainer;

    ChangeFilter(Map<String, Set<String>> slugsByContainer) {
        this.slugsByContainer = Map.copyOf(slugsByContainer);
    }

    /** The filters among these properties (keys {@value #PREFIX}*); a blank value is no filter. */
    public static ChangeFilter fromProperties(Properties properties) {
        Map<String, Set<String>> filters = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            Set<String> slugs = Arrays.stream(properties.getProperty(key).split(",")).map(String::trim)
                    .filter(slug -> !slug.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
            if (!slugs.isEmpty()) {
                filters.put(key.substring(PREFIX.length()), slugs);
            }
        }
        return new ChangeFilter(filters);
    }

    /** Whether updates of this object or list are filtered at all (a sync reads previous values only then). */
    public boolean filters(String container) {
        return slugsByContainer.containsKey(container);
    }

    /** Whether an update from the mirror's previous values (canonical JSON) to these values is published. */
    public boolean publishesUpdate(String container, String previousValuesJson, JsonNode values) {
        Set<String> wanted = slugsByContainer.get(container);
        if (wanted == null) {
            return true;
        }
        Set<String> changed = changedSlugs(read(previousValuesJson), values);
        return !Collections.disjoint(wanted, changed);
    }

    /** The attributes whose values differ between two {@code values} objects (missing and empty arrays alike). */
    public static Set<String> changedSlugs(JsonNode before, JsonNode after) {
        Set<String> slugs = new TreeSet<>();
        before.fieldNames().forEachRemaining(slugs::add);
        after.fieldNames().forEachRemaining(slugs::add);
        slugs.removeIf(slug -> same(before.path(slug), after.path(slug)));
        return slugs;
    }

    private static boolean same(JsonNode a, JsonNode b) {
        boolean aEmpty = a.isMissingNode() || a.isNull() || (a.isArray() && a.isEmpty());
        boolean bEmpty = b.isMissingNode() || b.isNull() || (b.isArray() && b.isEmpty());
        // canonical text, not JsonNode equality: two parsers may type the same number differently
        return aEmpty && bEmpty || !aEmpty && !bEmpty && ValuesHash.canonical(a).json().equals(ValuesHash.canonical(b).json());
    }

    /** Stored values (canonical JSON text) as a tree. */
    public static JsonNode read(String valuesJson) {
        try {
            return JSON.readTree(valuesJson);
        } catch (IOException e) {
            throw new UncheckedIOException("mirror values are not JSON", e);
        }
    }
}

package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Readiness check {@code attio-schema}: every object, list and attribute the settings name exists in the workspace.
 * Flows declare what their settings name ({@link #expect}); a timer route runs the check against the gateway's
 * schema cache, so it happens once Attio answers and follows schema changes; a readiness probe only reads the last
 * result (it must answer fast while Attio does not). What is missing is logged in one line whenever it changes,
 * naming each setting.
 */
public final class SchemaCheck extends AbstractHealthCheck {

    private static final Logger LOG = LoggerFactory.getLogger("attio.gateway");

    /** One thing a setting names: an object or list (attribute null), or an attribute of one. */
    private record Expectation(String setting, String target, String identifier, String attribute) {}

    private final Supplier<AttioGateway> gateway;
    private final List<Expectation> expectations = new ArrayList<>();
    private volatile List<String> missing;

    SchemaCheck(Supplier<AttioGateway> gateway) {
        super("attio", "attio-schema");
        this.gateway = gateway;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    /** Declares that {@code setting} names this object or list ({@code target} "objects" or "lists"). */
    public synchronized void expect(String setting, String target, String identifier) {
        expectations.add(new Expectation(setting, target, identifier, null));
    }

    /** Declares that {@code setting} names this attribute of an object or list. */
    public synchronized void expect(String setting, String target, String identifier, String attribute) {
        expectations.add(new Expectation(setting, target, identifier, attribute));
    }

    /** Reads the schema (cached by the gateway); empty when all is there, null while Attio cannot be read. */
    public synchronized List<String> verify() {
        AttioGateway gw = gateway.get();
        if (gw == null || "OPEN".equals(gw.circuitBreakerState())) {
            // nothing to learn while calls fail fast; the attio check already reports it
            return null;
        }
        Map<String, Set<String>> absent = new LinkedHashMap<>();
        try {
            Set<String> objects = identifiers(gw.objects(), "object_id");
            Set<String> lists = identifiers(gw.lists(), "list_id");
            for (Expectation e : expectations) {
                boolean object = "objects".equals(e.target);
                String owner = (object ? "object " : "list ") + e.identifier;
                if (!(object ? objects : lists).contains(e.identifier)) {
                    absent.computeIfAbsent(owner, k -> new LinkedHashSet<>()).add(e.setting);
                } else if (e.attribute != null && !identifiers(gw.attributes(e.target, e.identifier), "attribute_id")
                        .contains(e.attribute)) {
                    absent.computeIfAbsent("attribute " + e.identifier + "." + e.attribute, k -> new LinkedHashSet<>())
                            .add(e.setting);
                }
            }
        } catch (AttioException e) {
            return null;
        }
        List<String> found = new ArrayList<>();
        absent.forEach((what, settings) -> found.add(what + " (" + String.join(", ", settings) + ")"));
        if (!found.equals(missing)) {
            if (found.isEmpty()) {
                LOG.info("[attio-schema] every object, list and attribute the settings name exists in the workspace");
            } else {
                LOG.warn("[attio-schema] missing in the Attio workspace: {}", String.join("; ", found));
            }
        }
        missing = List.copyOf(found);
        return missing;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> now = missing;
        if (now == null) {
            // the attio check already reports an unreachable Attio; nothing is known to be missing
            builder.detail("checked", false).up();
        } else if (now.isEmpty()) {
            builder.detail("checked", true).up();
        } else {
            builder.detail("missing", String.join("; ", now))
                    .message("missing in the Attio workspace: " + String.join("; ", now)).down();
        }
    }

    private static Set<String> identifiers(List<JsonNode> items, String idField) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode item : items) {
            if (item.path("api_slug").isTextual()) {
                ids.add(item.path("api_slug").asText());
            }
            ids.add(item.path("id").path(idField).asText());
        }
        return ids;
    }
}

package io.github.attiocamel.contacts;

import io.github.attiocamel.config.StartupException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Who wins when a contact write meets a person attribute whose value Attio holds since {@code active_from}:
 * {@code attio.contacts.conflict-policy.default} and {@code attio.contacts.conflict-policy.<attribute-slug>}.
 */
enum ConflictPolicy {

    /** Today's behaviour: the local value is written, whatever Attio holds. */
    LOCAL_WINS("local-wins"),
    /** Attio's value is kept unless the contact's updated_at proves the local system saw it (is not before it). */
    ATTIO_WINS("attio-wins"),
    /** The later of updated_at and active_from wins; a contact without updated_at is as of now, so it wins. */
    LAST_WRITE_WINS("last-write-wins");

    static final String PREFIX = "attio.contacts.conflict-policy.";
    static final String DEFAULT_KEY = PREFIX + "default";

    final String setting;

    ConflictPolicy(String setting) {
        this.setting = setting;
    }

    /** Whether Attio's value, active since {@code attioActiveFrom}, is kept against a contact as of {@code updatedAt}. */
    boolean keepsAttio(Instant attioActiveFrom, Instant updatedAt) {
        return switch (this) {
            case LOCAL_WINS -> false;
            case ATTIO_WINS -> updatedAt == null || attioActiveFrom.isAfter(updatedAt);
            case LAST_WRITE_WINS -> updatedAt != null && attioActiveFrom.isAfter(updatedAt);
        };
    }

    /** The policies per attribute slug (key "default" included) from the family of keys; every bad value refused at once. */
    static Map<String, ConflictPolicy> fromProperties(Properties properties) {
        Map<String, ConflictPolicy> policies = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        properties.stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX)).sorted().forEach(key -> {
            String raw = properties.getProperty(key).trim();
            ConflictPolicy policy = of(raw);
            if (policy == null) {
                problems.add("invalid setting " + key + "=" + raw + ": use attio-wins, local-wins or last-write-wins");
            } else {
                policies.put(key.substring(PREFIX.length()), policy);
            }
        });
        if (!problems.isEmpty()) {
            throw new StartupException(String.join("; ", problems));
        }
        if (!policies.containsKey("default")) {
            throw new StartupException("missing setting " + DEFAULT_KEY
                    + " (config/application.properties sets it; was it removed from an external copy?)");
        }
        return policies;
    }

    private static ConflictPolicy of(String setting) {
        for (ConflictPolicy p : values()) {
            if (p.setting.equals(setting.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        return null;
    }
}

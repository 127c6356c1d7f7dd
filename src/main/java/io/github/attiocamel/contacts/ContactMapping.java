package io.github.attiocamel.contacts;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Which intake fields go to which Attio attribute, declared in configuration so a custom attribute needs no Java:
 * <pre>
 * attio.contacts.mapping.person.lead_source = lead_source     # "lead_source" in the contact -> people.lead_source
 * attio.contacts.mapping.company.name = name                  # "company.name" -> companies.name
 * attio.contacts.mapping.entry.stage = stage                  # "pipeline.stage" -> &lt;list&gt;.stage
 * </pre>
 * The value format (text, number, currency, select title, phone...) follows the attribute's type in Attio's schema,
 * so the mapping only names fields. Built-in fields with structure of their own are not mapped: {@code email},
 * {@code first_name}, {@code last_name}, {@code company.domain}, {@code pipeline.list}, {@code note.*}.
 */
final class ContactMapping {

    public static final String PREFIX = "attio.contacts.mapping.";

    private final Map<String, String> person;
    private final Map<String, String> company;
    private final Map<String, String> entry;

    public ContactMapping(Map<String, String> person, Map<String, String> company, Map<String, String> entry) {
        this.person = Collections.unmodifiableMap(new LinkedHashMap<>(person));
        this.company = Collections.unmodifiableMap(new LinkedHashMap<>(company));
        this.entry = Collections.unmodifiableMap(new LinkedHashMap<>(entry));
    }

    /** Reads {@code attio.contacts.mapping.(person|company|entry).<field> = <attribute slug>}; blank values unmap. */
    public static ContactMapping fromProperties(Properties properties) {
        Map<String, Map<String, String>> parts = Map.of("person", new LinkedHashMap<>(), "company",
                new LinkedHashMap<>(), "entry", new LinkedHashMap<>());
        properties.stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX)).sorted().forEach(key -> {
            String rest = key.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            Map<String, String> part = dot < 0 ? null : parts.get(rest.substring(0, dot));
            if (part == null) {
                throw new IllegalArgumentException(key + ": expected " + PREFIX + "(person|company|entry).<field>");
            }
            String slug = properties.getProperty(key).trim();
            if (!slug.isEmpty()) {
                part.put(rest.substring(dot + 1), slug);
            }
        });
        return new ContactMapping(parts.get("person"), parts.get("company"), parts.get("entry"));
    }

    /** Top-level contact field -> people attribute slug. */
    public Map<String, String> person() {
        return person;
    }

    /** Field of {@code company} -> companies attribute slug. */
    public Map<String, String> company() {
        return company;
    }

    /** Field of {@code pipeline} -> list entry attribute slug. */
    public Map<String, String> entry() {
        return entry;
    }

    public Set<String> personFields() {
        return person.keySet();
    }
}

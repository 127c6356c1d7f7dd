package io.github.attiocamel.gateway;

import java.util.regex.Pattern;

/**
 * What the bundle accepts as an Attio object or list slug (or id) from a caller before it becomes a path segment:
 * letters, digits, {@code -} and {@code _}, starting with a letter or digit, so no dot segment or separator can be
 * smuggled into a path to Attio.
 */
public final class AttioSlug {

    private static final Pattern SLUG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");

    /** The field error a caller sees for a value that is not a slug. */
    public static final String EXPECTED = "must be a slug or id (letters, digits, '-', '_')";

    private AttioSlug() {
    }

    public static boolean isSlug(String value) {
        return value != null && SLUG.matcher(value).matches();
    }
}

package io.github.attiocamel.config;

import java.util.Locale;

/**
 * Deployment profile chosen by {@code ATTIO_PROFILE}. Not Camel Main's {@code camel.main.profile}: that option is a
 * dev/prod switch that turns Camel developer features on or off, while these name our environments and only pick
 * which {@code application-<profile>.properties} layers over the defaults.
 */
public enum Profile {
    DEVELOPMENT, STAGING, PRODUCTION;

    public String fileSuffix() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Profile parse(String value) {
        if (value == null || value.isBlank()) {
            return DEVELOPMENT;
        }
        for (Profile p : values()) {
            if (p.fileSuffix().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new StartupException("unknown profile '" + value + "' (ATTIO_PROFILE): use development, staging or production");
    }
}

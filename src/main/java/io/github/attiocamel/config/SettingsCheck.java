package io.github.attiocamel.config;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;

/**
 * Refuses to start on settings that would only fail later (or silently): missing credentials, rate budgets above
 * Attio's published limits, ports already taken. Each refusal is one {@link StartupException} line naming the key
 * and its environment variable. Runs before configuration classes, so nothing is opened yet.
 */
public final class SettingsCheck extends MainListenerSupport {

    /** Attio's published workspace-wide limits (reads include .../query and .../search). */
    static final int ATTIO_READS_PER_SECOND = 100;
    static final int ATTIO_WRITES_PER_SECOND = 25;

    private final Profile profile;
    private final boolean sandbox;

    public SettingsCheck(Profile profile, boolean sandbox) {
        this.profile = profile;
        this.sandbox = sandbox;
    }

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        check(main.getCamelContext().getPropertiesComponent());
    }

    void check(PropertiesComponent pc) {
        if (value(pc, "attio.api-key").isEmpty() && !sandbox) {
            throw new StartupException("missing setting attio.api-key (env ATTIO_API_KEY): create an access token in "
                    + "Attio under Workspace settings > Developers > New access token, or try the bundle without an "
                    + "account: java -jar attio-camel.jar --sandbox");
        }
        required(pc, "attio.base-url", "ATTIO_BASE_URL");
        if (profile == Profile.PRODUCTION) {
            required(pc, "attio.webhook-secret", "ATTIO_WEBHOOK_SECRET");
            required(pc, "attio.api-token", "BUNDLE_API_TOKEN");
        }
        budget(pc, "attio.rate.reads-per-second", "ATTIO_RATE_READS_PER_SECOND", ATTIO_READS_PER_SECOND);
        budget(pc, "attio.rate.writes-per-second", "ATTIO_RATE_WRITES_PER_SECOND", ATTIO_WRITES_PER_SECOND);
        portFree(mandatory(pc, "camel.server.host"), port(pc, "attio.http-port", "HTTP_PORT"), "attio.http-port",
                "HTTP_PORT");
        if (Boolean.parseBoolean(mandatory(pc, "camel.management.enabled"))) {
            portFree(mandatory(pc, "camel.management.host"), port(pc, "attio.management-port", "MANAGEMENT_PORT"),
                    "attio.management-port", "MANAGEMENT_PORT");
        }
    }

    private static Optional<String> value(PropertiesComponent pc, String key) {
        return pc.resolveProperty(key).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** A key config/application.properties always sets: missing means a broken configuration, not a user's choice. */
    private static String mandatory(PropertiesComponent pc, String key) {
        return value(pc, key).orElseThrow(() -> new StartupException("missing setting " + key
                + " (config/application.properties sets it; was it removed from an external copy?)"));
    }

    private static void required(PropertiesComponent pc, String key, String env) {
        if (value(pc, key).isEmpty()) {
            throw new StartupException("missing setting " + key + " (env " + env + ")");
        }
    }

    /** Refused rather than clamped: a budget above Attio's limit is a typo or a misunderstanding, never intended. */
    private static void budget(PropertiesComponent pc, String key, String env, int attioLimit) {
        int value = integer(pc, key, env);
        if (value < 1 || value > attioLimit) {
            throw new StartupException("invalid setting " + key + "=" + value + " (env " + env + "): must be between 1 "
                    + "and " + attioLimit + ", Attio's published limit");
        }
    }

    private static int port(PropertiesComponent pc, String key, String env) {
        int port = integer(pc, key, env);
        if (port < 0 || port > 65535) {
            throw new StartupException("invalid setting " + key + "=" + port + " (env " + env + "): not a TCP port");
        }
        return port;
    }

    private static int integer(PropertiesComponent pc, String key, String env) {
        String raw = value(pc, key).orElseThrow(() -> new StartupException("missing setting " + key + " (env " + env + ")"));
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new StartupException("invalid setting " + key + "='" + raw + "' (env " + env + "): not a whole number");
        }
    }

    /**
     * Camel's embedded server only logs a bind failure and runs without a listener; binding first turns that into a
     * refusal. Port 0 (random, tests) cannot clash.
     */
    private static void portFree(String host, int port, String key, String env) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new StartupException("port " + port + " on " + host + " is already in use (" + key + ", env " + env
                    + "): stop the other process or choose another port");
        }
    }
}

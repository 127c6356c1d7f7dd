package io.github.attiocamel.config;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Refuses to start on settings that would only fail later (or silently): missing credentials, rate budgets above
 * Attio's published limits, ports already taken. Every problem found is reported at once, in one
 * {@link StartupException} line naming each key and its environment variable, so an operator fixes them in one go
 * rather than one per start. Runs before configuration classes, so nothing is opened yet.
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
        List<String> problems = new ArrayList<>();
        if (value(pc, "attio.api-key").isEmpty() && !sandbox) {
            problems.add("missing setting attio.api-key (env ATTIO_API_KEY): create an access token in "
                    + "Attio under Workspace settings > Developers > New access token, or try the bundle without an "
                    + "account: java -jar attio-camel.jar --sandbox");
        }
        required(pc, "attio.base-url", "ATTIO_BASE_URL", problems);
        Optional<String> publicUrl = value(pc, "attio.webhook.public-url");
        if (publicUrl.isPresent() && !publicUrl.get().startsWith("https://")) {
            problems.add("invalid setting attio.webhook.public-url (env ATTIO_WEBHOOK_PUBLIC_URL): Attio delivers only "
                    + "to https URLs, got " + publicUrl.get());
        }
        if (profile == Profile.PRODUCTION && publicUrl.isEmpty()) {
            // with a public URL the bundle makes its own webhook and keeps the secret Attio gives it
            required(pc, "attio.webhook-secret", "ATTIO_WEBHOOK_SECRET", problems);
        }
        if (profile == Profile.PRODUCTION) {
            required(pc, "attio.api-token", "BUNDLE_API_TOKEN", problems);
        }
        logFormat(System.getenv("LOG_FORMAT"), problems);
        budget(pc, "attio.rate.reads-per-second", "ATTIO_RATE_READS_PER_SECOND", ATTIO_READS_PER_SECOND, problems);
        budget(pc, "attio.rate.writes-per-second", "ATTIO_RATE_WRITES_PER_SECOND", ATTIO_WRITES_PER_SECOND, problems);
        String httpHost = mandatory(pc, "camel.server.host", problems);
        Integer httpPort = port(pc, "attio.http-port", "HTTP_PORT", problems);
        if (httpHost != null && httpPort != null) {
            portFree(httpHost, httpPort, "attio.http-port", "HTTP_PORT", problems);
        }
        if (Boolean.parseBoolean(mandatory(pc, "camel.management.enabled", problems))) {
            String managementHost = mandatory(pc, "camel.management.host", problems);
            Integer managementPort = port(pc, "attio.management-port", "MANAGEMENT_PORT", problems);
            if (managementHost != null && managementPort != null) {
                portFree(managementHost, managementPort, "attio.management-port", "MANAGEMENT_PORT", problems);
            }
        }
        if (problems.size() == 1) {
            throw new StartupException(problems.get(0));
        }
        if (!problems.isEmpty()) {
            throw new StartupException(problems.size() + " problems: " + String.join("; ", problems));
        }
    }

    private static Optional<String> value(PropertiesComponent pc, String key) {
        return pc.resolveProperty(key).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** A key config/application.properties always sets: missing means a broken configuration, not a user's choice. */
    private static String mandatory(PropertiesComponent pc, String key, List<String> problems) {
        Optional<String> value = value(pc, key);
        if (value.isEmpty()) {
            problems.add("missing setting " + key
                    + " (config/application.properties sets it; was it removed from an external copy?)");
        }
        return value.orElse(null);
    }

    private static void required(PropertiesComponent pc, String key, String env, List<String> problems) {
        if (value(pc, key).isEmpty()) {
            problems.add("missing setting " + key + " (env " + env + ")");
        }
    }

    /** Refused rather than clamped: a budget above Attio's limit is a typo or a misunderstanding, never intended. */
    private static void budget(PropertiesComponent pc, String key, String env, int attioLimit, List<String> problems) {
        Integer value = integer(pc, key, env, problems);
        if (value != null && (value < 1 || value > attioLimit)) {
            problems.add("invalid setting " + key + "=" + value + " (env " + env + "): must be between 1 "
                    + "and " + attioLimit + ", Attio's published limit");
        }
    }

    private static Integer port(PropertiesComponent pc, String key, String env, List<String> problems) {
        Integer port = integer(pc, key, env, problems);
        if (port != null && (port < 0 || port > 65535)) {
            problems.add("invalid setting " + key + "=" + port + " (env " + env + "): not a TCP port");
            return null;
        }
        return port;
    }

    /** The whole number the key holds, or null after adding why it has none. */
    private static Integer integer(PropertiesComponent pc, String key, String env, List<String> problems) {
        Optional<String> raw = value(pc, key);
        if (raw.isEmpty()) {
            problems.add("missing setting " + key + " (env " + env + ")");
            return null;
        }
        try {
            return Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            problems.add("invalid setting " + key + "='" + raw.get() + "' (env " + env + "): not a whole number");
            return null;
        }
    }

    /**
     * Camel's embedded server only logs a bind failure and runs without a listener; binding first turns that into a
     * refusal. Port 0 (random, tests) cannot clash.
     */
    private static void portFree(String host, int port, String key, String env, List<String> problems) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            problems.add("port " + port + " on " + host + " is already in use (" + key + ", env " + env
                    + "): stop the other process or choose another port");
        }
    }

    /**
     * log4j2.properties picks its appender by LOG_FORMAT's name: another name, or a variable set empty (log4j2 takes
     * the empty name, not its default), leaves the bundle without a log.
     */
    static void logFormat(String value, List<String> problems) {
        if (value != null && !value.equals("plain") && !value.equals("json")) {
            problems.add("invalid LOG_FORMAT '" + value + "': plain (the default, also when unset) or json");
        }
    }
}

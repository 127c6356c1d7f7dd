package io.github.attiocamel.sandbox;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar attio-camel.jar --simulator}: the simulated Attio on its own, for the docker-compose demo
 * ({@code deploy/docker-compose.yml}), where bundle replicas reach it over the network as they would reach Attio.
 * A demo tool, configured by environment only:
 * <ul>
 *   <li>{@code SIMULATOR_HOST}: interface to listen on, {@code 127.0.0.1} unless set ({@code 0.0.0.0} in a container)</li>
 *   <li>{@code SIMULATOR_PORT}: {@code 8089} unless set</li>
 *   <li>{@code SIMULATOR_API_KEY}: the only bearer token it accepts; a random one, printed, when unset</li>
 *   <li>{@code SIMULATOR_SEED_PEOPLE}: sample people added to the seed workspace, {@code 25} unless set</li>
 *   <li>{@code SIMULATOR_WEBHOOK_URL} with {@code SIMULATOR_WEBHOOK_SECRET}: every change is delivered there, signed,
 *       as a workspace's webhook would (the secret is the bundle's {@code ATTIO_WEBHOOK_SECRET})</li>
 * </ul>
 * Its data lives in memory only and its key is its own: never a real Attio token.
 */
public final class SimulatorMain {

    private SimulatorMain() {}

    /** Serves until the JVM is stopped (SIGTERM, Ctrl-C); answers 2 for a setting it cannot use. */
    public static int run(Map<String, String> env, PrintStream out, PrintStream err) {
        AttioSimulator simulator;
        try {
            simulator = start(env, out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("attio-simulator: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "attio-simulator-stop"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Starts the simulator the environment describes and prints where it is; the caller closes it. */
    static AttioSimulator start(Map<String, String> env, PrintStream out) {
        String host = value(env, "SIMULATOR_HOST", "127.0.0.1");
        int port = number(env, "SIMULATOR_PORT", 8089, 0, 65535);
        int people = number(env, "SIMULATOR_SEED_PEOPLE", 25, 0, 100_000);
        String webhookUrl = value(env, "SIMULATOR_WEBHOOK_URL", "");
        String webhookSecret = value(env, "SIMULATOR_WEBHOOK_SECRET", "");
        if (webhookUrl.isEmpty() != webhookSecret.isEmpty()) {
            throw new IllegalArgumentException("SIMULATOR_WEBHOOK_URL and SIMULATOR_WEBHOOK_SECRET go together: set both or neither");
        }
        String configuredKey = value(env, "SIMULATOR_API_KEY", "");
        String apiKey = configuredKey.isEmpty() ? "sim_" + AttioSimulator.randomHex(16) : configuredKey;
        AttioSimulator simulator = AttioSimulator.start(host, port, apiKey);
        // the suite holds the answers to the document; a demo need not pay for checking them
        simulator.setCheckAnswers(false);
        int total = simulator.data().seedPeople(people);
        if (!webhookUrl.isEmpty()) {
            simulator.subscribe(webhookUrl, webhookSecret);
        }
        String local = "http://" + ("0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":" + simulator.port();
        out.println("=== Attio simulator (demo only: simulated workspace in memory, not Attio) ===");
        out.println("  listening         " + host + ":" + simulator.port());
        out.println("  ATTIO_BASE_URL    " + local);
        out.println("  ATTIO_API_KEY     " + (configuredKey.isEmpty() ? apiKey : "the value of SIMULATOR_API_KEY"));
        out.println("  people            " + total);
        out.println("  webhooks          " + (webhookUrl.isEmpty() ? "none (SIMULATOR_WEBHOOK_URL unset)" : webhookUrl));
        out.println("  try: curl -H 'Authorization: Bearer <key>' " + local + "/v2/self");
        return simulator;
    }

    private static String value(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int number(Map<String, String> env, String name, int fallback, int min, int max) {
        String value = value(env, name, "");
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the accepted range
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", not '" + value + "'");
    }
}

package io.github.attiocamel;

import io.github.attiocamel.config.Profile;
import io.github.attiocamel.sandbox.AttioSimulator;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * {@code --sandbox}: the whole bundle against an in-process Attio simulator with sample data, so a newcomer sees
 * every flow work without an account. Known, documented credentials (never valid anywhere else) and its own data
 * directory so it never touches a real store. The store is in memory, as the simulator is: a restart begins both
 * afresh, so the mirror never holds ids of a simulated workspace that no longer exists (a file store would outlive
 * the simulator, and the first sync after a restart would delete and re-create everything).
 */
final class Sandbox extends MainListenerSupport {

    static final String WEBHOOK_SECRET = "sandbox-webhook-secret";
    static final String API_TOKEN = "sandbox-api-token";
    static final String DATA_DIR = "./data/sandbox";
    private static final int SAMPLE_PEOPLE = 25;

    private final AttioSimulator simulator;
    private final PrintStream out;

    private Sandbox(AttioSimulator simulator, PrintStream out) {
        this.simulator = simulator;
        this.out = out;
    }

    /** Starts the simulator and wires the bundle to it; the simulator stops with Camel. */
    static Bundle configure(Bundle bundle, PrintStream out) {
        AttioSimulator simulator = AttioSimulator.start(envPort("SANDBOX_ATTIO_PORT", 0));
        simulator.setCheckAnswers(false); // the suite holds the answers to the document; a demo need not pay for it
        simulator.data().seedPeople(SAMPLE_PEOPLE);
        return bundle.sandbox(true)
                // production's secret checks make no sense against a simulator, even inside the production image
                .profile(Profile.DEVELOPMENT)
                .override("attio.base-url", simulator.baseUrl())
                .override("attio.api-key", simulator.apiKey())
                .override("attio.webhook-secret", WEBHOOK_SECRET)
                .override("attio.webhook-secret-previous", "")
                .override("attio.api-token", API_TOKEN)
                .override("attio.data-dir", DATA_DIR)
                .override("attio.store.jdbc-url", "jdbc:h2:mem:attio-sandbox-" + UUID.randomUUID()
                        + ";DB_CLOSE_DELAY=-1")
                .listener(new Sandbox(simulator, out));
    }

    /** As a real workspace does: every change, the bundle's own writes included, comes back as webhooks. */
    @Override
    public void afterConfigure(BaseMainSupport main) {
        String port = main.getCamelContext().getPropertiesComponent().resolveProperty("attio.http-port").orElseThrow();
        simulator.subscribe("http://127.0.0.1:" + port + "/webhooks/attio", WEBHOOK_SECRET);
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        var pc = main.getCamelContext().getPropertiesComponent();
        String http = "http://127.0.0.1:" + pc.resolveProperty("attio.http-port").orElseThrow();
        String management = "http://127.0.0.1:" + pc.resolveProperty("attio.management-port").orElseThrow();
        // a record the simulator really holds, so the demo delivery ends in the mirror and not as a dead letter
        String recordId = simulator.data().recordIds("people").get(0);
        String body = simulator.recordEvent("record.created", "people", recordId);
        String signature = WebhookSigner.hmacHex(WEBHOOK_SECRET, body.getBytes(StandardCharsets.UTF_8));
        out.println();
        out.println("=== Attio Camel bundle: SANDBOX (simulated Attio, sample data; nothing leaves this machine) ===");
        out.println("  HTTP              " + http);
        out.println("  webhook URL       " + http + "/webhooks/attio   (secret: " + WEBHOOK_SECRET + ")");
        out.println("  bundle API        " + http + "/api/ping   (Authorization: Bearer " + API_TOKEN + ")");
        out.println("  health            " + management + "/observe/health");
        out.println("  metrics           " + management + "/observe/metrics");
        out.println("  operations page   " + management + "/ops   (in a browser; API token: " + API_TOKEN + ")");
        out.println("  simulated Attio   " + simulator.baseUrl() + "/v2   (" + SAMPLE_PEOPLE + " people seeded; token: "
                + simulator.apiKey() + ")");
        out.println("    curl -H 'Authorization: Bearer " + simulator.apiKey() + "' " + simulator.baseUrl() + "/v2/self");
        out.println("  data              " + DATA_DIR + "   (drop directory import/; the store is in memory, fresh each"
                + " start like the simulator)");
        out.println("  webhooks          the simulated Attio delivers every change to the webhook URL (no sync needed)");
        out.println("  send a signed webhook:");
        out.println("    curl -i -X POST " + http + "/webhooks/attio -H 'Content-Type: application/json' \\");
        out.println("      -H 'Attio-Signature: " + signature + "' -H 'Idempotency-Key: sandbox-demo-1' \\");
        out.println("      --data '" + body + "'");
        out.println("  then see the record in the local mirror:");
        out.println("    curl -H 'Authorization: Bearer " + API_TOKEN + "' " + http + "/api/mirror/people/" + recordId);
        out.println("  Ctrl-C stops the bundle and the simulator.");
        out.println();
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        simulator.close();
    }

    private static int envPort(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }
}

package io.github.attiocamel;

import org.apache.camel.main.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * {@code java -jar attio-camel.jar --sandbox} in-process: {@link Sandbox#configure} and {@code Main.run()} exactly as
 * {@link Application} does, on free ports and the given data directory, with the banner captured.
 */
final class SandboxRun implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final int httpPort;
    final int managementPort;
    private final Main main;
    private final Thread runner;
    private final ByteArrayOutputStream banner = new ByteArrayOutputStream();

    private SandboxRun(Path dataDir) throws Exception {
        httpPort = freePort();
        managementPort = freePort();
        Bundle bundle = Sandbox.configure(new Bundle(), new PrintStream(banner, true, StandardCharsets.UTF_8))
                .configDir(dataDir.resolve("no-external-config"))
                .override("attio.data-dir", dataDir.toString())
                .override("attio.http-port", String.valueOf(httpPort))
                .override("attio.management-port", String.valueOf(managementPort))
                .override("attio.sync.schedule-enabled", "false");
        main = bundle.build();
        // run() as the jar does: the sandbox's listener subscribes, prints and closes the simulator around it
        runner = new Thread(() -> {
            try {
                main.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "sandbox-main");
        runner.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> main.getCamelContext() != null
                && main.getCamelContext().isStarted());
    }

    /** A sandbox on this data directory, returned once Camel has started. */
    static SandboxRun start(Path dataDir) throws Exception {
        return new SandboxRun(dataDir);
    }

    String base() {
        return "http://127.0.0.1:" + httpPort;
    }

    String banner() {
        return banner.toString(StandardCharsets.UTF_8);
    }

    /** A request on the bundle's HTTP port with the sandbox's API token; a null body is a GET. */
    HttpResponse<String> api(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
                .header("Authorization", "Bearer " + Sandbox.API_TOKEN).timeout(Duration.ofSeconds(30));
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        main.completed();
        runner.join(Duration.ofSeconds(30).toMillis());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

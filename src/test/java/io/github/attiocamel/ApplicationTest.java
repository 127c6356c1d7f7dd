package io.github.attiocamel;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ApplicationTest {

    /** ATTIO-API.md's signature test vector: secret, exact body bytes, signature. */
    private static final String VECTOR_SECRET = "test-webhook-secret";
    private static final String VECTOR_BODY = "{\"webhook_id\":\"23e42eaf-323a-41da-b5bb-fd67eebda553\",\"events\":[{\"event_type\":\"record.created\",\"id\":{\"workspace_id\":\"14beef7a-99f7-4534-a87e-70b564330a4c\",\"object_id\":\"97052eb9-e65e-443f-a297-f2d9a4a7f795\",\"record_id\":\"bf071e1f-6035-429d-b874-d83ea64ea13b\"},\"actor\":{\"type\":\"workspace-member\",\"id\":\"50cf242c-7fa3-4cad-87d0-75b1af71c57b\"}}]}";
    private static final String VECTOR_SIGNATURE = "1d4795bd5d93120a4b59d82076c4219bf6b370017a84957f312e9eded54dc07c";

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void missingApiKeyExitsNonZeroWithOneLineOnStandardError() {
        assumeTrue(System.getenv("ATTIO_API_KEY") == null, "needs an environment without ATTIO_API_KEY");
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Application.run(new String[0]);
        } finally {
            System.setErr(original);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .startsWith("attio-camel: missing setting attio.api-key (env ATTIO_API_KEY)")
                .contains("--sandbox")
                .doesNotContain("\n");
    }

    @Test
    void signPrintsTheHeaderOfTheTestVector() throws Exception {
        Run run = java(List.of("sign"), Map.of("ATTIO_WEBHOOK_SECRET", VECTOR_SECRET), VECTOR_BODY);
        assertThat(run.exit).as(run.err).isZero();
        assertThat(run.out).isEqualTo("Attio-Signature: " + VECTOR_SIGNATURE + System.lineSeparator());
    }

    @Test
    void signWithoutASecretSaysWhatToSet() throws Exception {
        Run run = java(List.of("sign"), Map.of(), VECTOR_BODY);
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err.strip()).contains("ATTIO_WEBHOOK_SECRET").doesNotContain("\n");
    }

    @Test
    void secondCopyOnTheSameDataDirExitsTwoWithOneLineNamingAttioDataDir() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        try (BundleProcess first = BundleProcess.against(sim.baseUrl(), sim.apiKey()).start();
             BundleProcess second = BundleProcess.against(sim.baseUrl(), sim.apiKey())
                     .env("ATTIO_DATA_DIR", first.dataDir().toString())) {
            int exit = second.runToExit(Duration.ofSeconds(90));
            List<String> log = Files.readAllLines(second.log());
            assertThat(exit).as(String.join("\n", log)).isEqualTo(2);
            assertThat(log).filteredOn(l -> l.startsWith("attio-camel:")).singleElement().asString()
                    .contains("the store in " + first.dataDir().toAbsolutePath().normalize(),
                            "another process", "ATTIO_DATA_DIR");
            assertThat(log).as("no stack trace").noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by"));
            assertThat(first.health(Duration.ofSeconds(5))).as("the first copy is untouched").isEqualTo(200);
        }
    }

    private record Run(int exit, String out, String err) {}

    /** The jar's entry point in a JVM of its own, with exactly this environment and stdin. */
    private static Run java(List<String> args, Map<String, String> env, String stdin) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.github.attiocamel.Application"));
        command.addAll(args);
        Path out = Files.createTempFile("attio-app-", ".out");
        Path err = Files.createTempFile("attio-app-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("ATTIO_") || k.startsWith("BUNDLE_"));
            builder.environment().putAll(env);
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}

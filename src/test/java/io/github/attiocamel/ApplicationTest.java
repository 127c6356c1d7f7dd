package io.github.attiocamel;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ApplicationTest {

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
}

package io.github.attiocamel.testing;

import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class RunningBundleTest {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void bootsTheRealBundleAndRestartsOnTheSameStore() throws Exception {
        try (RunningBundle bundle = RunningBundle.against("http://127.0.0.1:9", "test-key").start()) {
            assertThat(bundle.camelContext().getStatus()).isEqualTo(ServiceStatus.Started);
            assertThat(bundle.camelContext().getRegistry().lookupByName("mirrorRepository")).isNotNull();
            int metrics = http.send(HttpRequest.newBuilder(URI.create(bundle.managementUrl() + "/observe/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
            assertThat(metrics).isEqualTo(200);

            bundle.stop();
            bundle.start();
            assertThat(bundle.camelContext().getStatus()).isEqualTo(ServiceStatus.Started);
            assertThat(bundle.dataDir().resolve("attio.mv.db")).exists();
        }
    }
}

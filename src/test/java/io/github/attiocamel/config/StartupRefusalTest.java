package io.github.attiocamel.config;

import io.github.attiocamel.testing.RunningBundle;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class StartupRefusalTest {

    private static final String ATTIO = "http://127.0.0.1:9";

    @Test
    void missingApiKeyExplainsHowToGetOneOrUseTheSandbox() {
        String line = refusal(RunningBundle.against(ATTIO, ""));
        assertThat(line).contains("attio.api-key", "ATTIO_API_KEY", "Workspace settings > Developers", "--sandbox")
                .doesNotContain("\n");
    }

    @Test
    void productionRefusesWithoutWebhookSecret() {
        String line = refusal(RunningBundle.against(ATTIO, "key").profile(Profile.PRODUCTION)
                .property("attio.webhook-secret", ""));
        assertThat(line).isEqualTo("missing setting attio.webhook-secret (env ATTIO_WEBHOOK_SECRET)");
    }

    @Test
    void productionRefusesWithoutBundleApiToken() {
        String line = refusal(RunningBundle.against(ATTIO, "key").profile(Profile.PRODUCTION)
                .property("attio.api-token", ""));
        assertThat(line).isEqualTo("missing setting attio.api-token (env BUNDLE_API_TOKEN)");
    }

    @Test
    void productionReportsEveryMissingSettingInOneLine() {
        String line = refusal(RunningBundle.against(ATTIO, "").profile(Profile.PRODUCTION)
                .property("attio.webhook-secret", "").property("attio.api-token", "")
                .property("attio.rate.writes-per-second", "26"));
        assertThat(line).startsWith("4 problems: missing setting attio.api-key (env ATTIO_API_KEY)")
                .contains("; missing setting attio.webhook-secret (env ATTIO_WEBHOOK_SECRET)",
                        "; missing setting attio.api-token (env BUNDLE_API_TOKEN)",
                        "; invalid setting attio.rate.writes-per-second=26 (env ATTIO_RATE_WRITES_PER_SECOND)")
                .doesNotContain("\n");
    }

    @Test
    void productionStartsWhenEverySecretIsSet() {
        try (RunningBundle bundle = RunningBundle.against(ATTIO, "key").profile(Profile.PRODUCTION).start()) {
            assertThat(bundle.camelContext().isStarted()).isTrue();
        }
    }

    @Test
    void writeBudgetAboveAttiosLimitIsRefused() {
        String line = refusal(RunningBundle.against(ATTIO, "key").property("attio.rate.writes-per-second", "26"));
        assertThat(line).contains("attio.rate.writes-per-second=26", "ATTIO_RATE_WRITES_PER_SECOND", "25");
    }

    @Test
    void readBudgetThatIsNotANumberIsRefused() {
        String line = refusal(RunningBundle.against(ATTIO, "key").property("attio.rate.reads-per-second", "fast"));
        assertThat(line).contains("attio.rate.reads-per-second", "not a whole number");
    }

    @Test
    void unknownConflictPoliciesAreRefusedInOneLine() {
        String line = refusal(RunningBundle.against(ATTIO, "key")
                .property("attio.contacts.conflict-policy.job_title", "attio_wins")
                .property("attio.contacts.conflict-policy.default", "newest"));
        assertThat(line).doesNotContain("\n").contains("attio.contacts.conflict-policy.job_title=attio_wins",
                "attio.contacts.conflict-policy.default=newest", "attio-wins, local-wins or last-write-wins");
    }

    @Test
    void takenHttpPortStopsStartUp() throws Exception {
        try (ServerSocket taken = occupy()) {
            String line = refusal(RunningBundle.against(ATTIO, "key")
                    .property("attio.http-port", String.valueOf(taken.getLocalPort())));
            assertThat(line).contains("port " + taken.getLocalPort(), "already in use", "HTTP_PORT");
        }
    }

    @Test
    void takenManagementPortStopsStartUp() throws Exception {
        try (ServerSocket taken = occupy()) {
            String line = refusal(RunningBundle.against(ATTIO, "key")
                    .property("attio.management-port", String.valueOf(taken.getLocalPort())));
            assertThat(line).contains("already in use", "MANAGEMENT_PORT");
        }
    }

    private static ServerSocket occupy() throws Exception {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
        return socket;
    }

    private static String refusal(RunningBundle bundle) {
        try (bundle) {
            Throwable thrown = catchThrowable(bundle::start);
            assertThat(thrown).as("start-up must fail").isNotNull();
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                if (t instanceof StartupException s) {
                    return s.getMessage();
                }
            }
            throw new AssertionError("no StartupException in the cause chain", thrown);
        }
    }
}

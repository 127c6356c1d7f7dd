package io.github.attiocamel.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance: one progress route logs the progress of every kind of work the process holds, each line in its flow's
 * words and logger, while a full sync and a batch job run side by side; the flows have no progress route of their own.
 */
class WorkProgressRouteTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void oneRouteLogsTheProgressOfASyncRunAndABatchJobRunningSideBySide() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(2345 - sim.data().count("people"));
        StringWriter log = new StringWriter();
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("attio.sync.parallel-pages", "1")
                .property("attio.work.progress-period", "200")
                .start();
             LogCapture ignored = LogCapture.into(log, "attio.sync", "attio.contacts")) {
            sim.setLatency(Duration.ofMillis(300));
            String runId = JSON.readTree(post(bundle, "/api/sync/people", "").body()).path("run_id").asText();
            StringBuilder rows = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                rows.append("{\"email\":\"progress-").append(i).append("@gmail.com\"}\n");
            }
            String jobId = JSON.readTree(post(bundle, "/api/contacts:batch", rows.toString()).body()).path("job_id")
                    .asText();

            Pattern syncLine = Pattern.compile("attio-work-progress attio\\.sync \\[attio-full-sync] records:people run "
                    + runId + " pages=\\d+ records=\\d+/\\S+ rate=\\d+/s eta=\\S+");
            Pattern jobLine = Pattern.compile("attio-work-progress attio\\.contacts \\[attio-contacts] job " + jobId
                    + " RUNNING: \\d+/100 done, \\d+ failed, [\\d.,]+/s, ETA \\S+");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<String> lines = log.toString().lines().toList();
                assertThat(lines).anyMatch(l -> syncLine.matcher(l).find());
                assertThat(lines).anyMatch(l -> jobLine.matcher(l).find());
            });
            assertThat(bundle.camelContext().getRoutes()).extracting(r -> r.getRouteId())
                    .contains("attio-work-progress", "attio-work-resume", "attio-work-heartbeat")
                    .doesNotContain("attio-full-sync-progress", "attio-contacts-job-progress");
            sim.setLatency(Duration.ZERO);
        }
    }

    private static HttpResponse<String> post(RunningBundle bundle, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Authorization", "Bearer " + bundle.apiToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return r;
    }

    /** The given loggers at INFO into a writer, each line with the thread that logged it. */
    private record LogCapture(LoggerContext context, Appender appender, List<String> loggers) implements AutoCloseable {

        static LogCapture into(StringWriter writer, String... loggers) {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            Configuration config = context.getConfiguration();
            Appender appender = WriterAppender.newBuilder().setName("progress-capture").setTarget(writer)
                    .setLayout(PatternLayout.newBuilder().withPattern("%t %c %m%n").build()).build();
            appender.start();
            for (String name : loggers) {
                LoggerConfig logger = new LoggerConfig(name, Level.INFO, false);
                logger.addAppender(appender, Level.INFO, null);
                config.addLogger(name, logger);
            }
            context.updateLoggers();
            return new LogCapture(context, appender, List.of(loggers));
        }

        @Override
        public void close() {
            Configuration config = context.getConfiguration();
            loggers.forEach(config::removeLogger);
            context.updateLoggers();
            appender.stop();
        }
    }
}

package io.github.attiocamel.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.logging.log4j.core.config.plugins.processor.PluginCache;
import org.apache.logging.log4j.core.config.plugins.processor.PluginProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * LOG_FORMAT=json: the bundle as a process of its own with the production log configuration (log4j2.properties, not
 * the tests' one) writes only JSON lines, each with timestamp, level, logger and message, a flow's lines with their
 * flow, and lines logged within a traced exchange with its trace_id (tracing on, spans sent to an OTLP receiver in
 * this test). The shaded jar keeps one plugin cache of all log4j2 jars: the merged one this project ships.
 */
class JsonLogTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PLUGIN_CACHE = PluginProcessor.PLUGIN_CACHE_FILE;

    @Test
    void everyLineIsJsonAndATracedDeliveryLineCarriesItsFlowAndTraceId() throws Exception {
        AtomicInteger exports = new AtomicInteger();
        HttpServer otlp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        otlp.createContext("/v1/traces", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exports.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        otlp.start();
        try (BundleProcess bundle = BundleProcess.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .jvmOption("-Dlog4j2.configurationFile=classpath:log4j2.properties")
                .env("LOG_FORMAT", "json")
                .env("ATTIO_TRACING_ENABLED", "true")
                .env("ATTIO_TRACING_OTLP_ENDPOINT", "http://127.0.0.1:" + otlp.getAddress().getPort() + "/v1/traces")
                .env("ATTIO_TRACING_EXPORT_INTERVAL", "PT0.2S")
                .start()) {
            ATTIO.simulator().data().seedPeople(1);
            String recordId = ATTIO.simulator().data().recordIds("people").get(0);
            // two deliveries, each sent twice under its key: each second one is answered as a duplicate, a line logged
            // within its intake's span
            List<String> envelopes = List.of(ATTIO.simulator().recordUpdatedEvent("people", recordId, "job_title"),
                    ATTIO.simulator().recordEvent("record.created", "people", recordId));
            for (int i = 0; i < 4; i++) {
                assertThat(ATTIO.simulator().deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET,
                        envelopes.get(i / 2), "json-log-" + i / 2)).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> duplicateLines(bundle.log()).size() == 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> exports.get() > 0);

            List<JsonNode> lines = jsonLines(bundle.log());
            assertThat(lines).allSatisfy(line -> assertThat(line.has("timestamp") && line.has("level")
                    && line.has("logger") && line.has("message")).as(line.toString()).isTrue());
            List<JsonNode> duplicates = duplicateLines(bundle.log());
            assertThat(duplicates).allSatisfy(line -> {
                assertThat(line.path("flow").asText()).isEqualTo("attio-webhook");
                assertThat(line.path("trace_id").asText()).matches("[0-9a-f]{32}");
                assertThat(line.path("span_id").asText()).matches("[0-9a-f]{16}");
                assertThat(line.path("camel.routeId").asText()).isEqualTo("attio-webhook-intake");
            });
            assertThat(duplicates.get(0).path("trace_id").asText()).as("each delivery a trace of its own")
                    .isNotEqualTo(duplicates.get(1).path("trace_id").asText());
        } finally {
            otlp.stop(0);
        }
    }

    @Test
    void aLogFormatWithoutAnAppenderIsRefusedByName() {
        List<String> problems = new ArrayList<>();
        SettingsCheck.logFormat("json", problems);
        SettingsCheck.logFormat("plain", problems);
        SettingsCheck.logFormat(null, problems);
        assertThat(problems).isEmpty();
        SettingsCheck.logFormat("xml", problems);
        SettingsCheck.logFormat("", problems);
        assertThat(problems).containsExactly("invalid LOG_FORMAT 'xml': plain (the default, also when unset) or json",
                "invalid LOG_FORMAT '': plain (the default, also when unset) or json");
    }

    /** The shaded jar holds one Log4j2Plugins.dat: the merged one under src/main/resources must list every plugin. */
    @Test
    void theShippedPluginCacheHoldsEveryPluginOfTheLog4jJars() throws Exception {
        List<URL> jars = new ArrayList<>();
        URL shipped = null;
        for (URL url : Collections.list(getClass().getClassLoader().getResources(PLUGIN_CACHE))) {
            if (url.getProtocol().equals("jar")) {
                jars.add(url);
            } else {
                shipped = url;
            }
        }
        assertThat(jars).as("log4j-core's and the JSON layout's caches").hasSizeGreaterThanOrEqualTo(2);
        assertThat(shipped).as("the project's merged cache (target/classes)").isNotNull();
        assertThat(plugins(List.of(shipped))).as("regenerate src/main/resources/" + PLUGIN_CACHE
                + " after a log4j2 upgrade: PluginCache.loadCacheFiles over both jars' caches, then writeCache")
                .isEqualTo(plugins(jars));
    }

    private static Map<String, TreeSet<String>> plugins(List<URL> caches) throws Exception {
        PluginCache cache = new PluginCache();
        cache.loadCacheFiles(Collections.enumeration(caches));
        Map<String, TreeSet<String>> plugins = new TreeMap<>();
        cache.getAllCategories().forEach((category, entries) -> plugins.put(category,
                new TreeSet<>(entries.values().stream().map(e -> e.getKey() + "=" + e.getClassName()).toList())));
        return plugins;
    }

    private static List<JsonNode> duplicateLines(Path log) throws Exception {
        return jsonLines(log).stream().filter(l -> l.path("message").asText().contains("duplicate delivery")).toList();
    }

    private static List<JsonNode> jsonLines(Path log) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.isBlank() || line.startsWith("SLF4J")) {
                continue;
            }
            try {
                lines.add(JSON.readTree(line));
            } catch (Exception notJson) {
                throw new AssertionError("not a JSON line: " + line, notJson);
            }
        }
        return lines;
    }
}

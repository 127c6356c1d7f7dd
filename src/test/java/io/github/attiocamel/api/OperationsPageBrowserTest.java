package io.github.attiocamel.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The operations page in a real headless Chromium (Debian's chromium and chromium-driver) against the real bundle and
 * the simulator: the operator opens {@code /ops} on the management port, enters the API token, watches a full sync's
 * progress bar move and its completed result, sees a dead letter and replays it, after which it leaves the list for
 * good. Without a browser the test is skipped, unless {@code -Dattio.test.browser.required=true} (or
 * {@code ATTIO_TEST_BROWSER_REQUIRED=true}, as CI sets) makes that a failure. Writes
 * {@code target/operations-page.png} (the README's screenshot, docs/operations-page.png, is a copy of one).
 */
class OperationsPageBrowserTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int PEOPLE = 200;
    private static final int PAGE = 50;

    private static RunningBundle bundle;
    private static WebDriver browser;

    @BeforeAll
    static void start() {
        Path chromium = executable("chromium", "chromium-browser", "google-chrome");
        Path driver = executable("chromedriver");
        if (chromium == null || driver == null) {
            String missing = "no headless browser (Debian: apt-get install chromium chromium-driver)";
            if (required()) {
                fail(missing + ", and attio.test.browser.required is true");
            }
            abort(missing + ": the operations page's browser test is skipped");
        }
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.ops.refresh-millis", "300")
                .property("attio.sync.schedule-enabled", "false")
                // one page at a time, so a slow page holds the run visibly half-way
                .property("attio.sync.page-size", String.valueOf(PAGE))
                .property("attio.sync.parallel-pages", "1")
                .start();
        ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1000");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build(), options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (bundle != null) {
            bundle.close();
        }
    }

    @Test
    void anOperatorWatchesASyncAndReplaysADeadLetter() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        // a batch job with one bad row of three, before the syncs count the people it adds
        String job = api("POST", "/api/contacts:batch", "[{\"email\":\"ops-one@gmail.com\"},"
                + "{\"email\":\"not-an-email\"},{\"email\":\"ops-two@gmail.com\"}]").path("job_id").asText();
        await().atMost(WAIT).until(() -> "COMPLETED".equals(api("GET", "/api/jobs/" + job, null).path("state").asText()));
        sim.data().seedPeople(PEOPLE - sim.data().count("people"));
        String firstRun = startSync();
        await().atMost(WAIT).until(() -> "completed".equals(api("GET", "/api/sync/runs/" + firstRun, null)
                .path("state").asText()));

        // a delivery Attio refuses to serve the record of (400: no retry helps) is dead-lettered at once
        String record = sim.data().recordIds("people").get(0);
        sim.faults().add(FaultRule.on("GET", "/v2/objects/people/records/" + record).respond(400));
        ObjectNode id = sim.eventId().put("object_id", sim.data().objectId("people")).put("record_id", record);
        assertThat(sim.deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET,
                sim.envelope(UUID.randomUUID().toString(), sim.event("record.created", id)),
                UUID.randomUUID().toString())).isEqualTo(200);
        await().atMost(WAIT).until(() -> bundle.queryLong("SELECT COUNT(*) FROM dead_letter") == 1);
        long letter = bundle.queryLong("SELECT MAX(id) FROM dead_letter");

        browser.get(bundle.managementUrl() + "/ops");
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.until(b -> b.findElement(By.id("token")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys(bundle.apiToken());
        browser.findElement(By.id("connect")).click();

        Row completed = seen(wait, "tr[data-run='" + firstRun + "']");
        assertThat(completed.state()).isEqualTo("completed");
        assertThat(completed.percent()).isEqualTo("100");
        assertThat(completed.text()).contains(PEOPLE + " records", result(firstRun));
        assertThat(seen(wait, "tr[data-dead-letter='" + letter + "']").text()).contains("webhook", "record.created",
                "Attio 400", "Replay");
        assertThat(browser.findElement(By.id("breaker")).getText()).isEqualTo("CLOSED");
        assertThat(browser.findElement(By.id("reads")).getText()).endsWith("/ 100");
        assertThat(browser.findElement(By.id("writes")).getText()).endsWith("/ 25");
        Row batch = seen(wait, "tr[data-job='" + job + "']");
        assertThat(batch.state()).isEqualTo("COMPLETED");
        assertThat(batch.percent()).isEqualTo("100");
        assertThat(batch.text()).contains("3 / 3 rows");

        // the second run knows the mirror's size, so its bar moves; its third page is slow to answer
        sim.faults().add(FaultRule.when(r -> r.path().endsWith("/people/records/query")
                && r.bodyLong("offset", 0) == 2 * PAGE).latency(Duration.ofSeconds(20)).times(1));
        String secondRun = startSync();
        Row running = wait.ignoring(StaleElementReferenceException.class).until(b -> snapshot(b,
                "tr[data-run='" + secondRun + "'][data-state='running']")
                .filter(r -> !r.percent().isEmpty() && Integer.parseInt(r.percent()) > 0).orElse(null));
        assertThat(Integer.parseInt(running.percent())).isBetween(1, 99);
        assertThat(running.text()).contains(" / " + PEOPLE + " records");
        screenshot();

        // Attio serves the record again: the replay goes through, and the letter leaves the list for good
        sim.faults().clear();
        wait.ignoring(StaleElementReferenceException.class).until(b -> {
            b.findElement(By.cssSelector("tr[data-dead-letter='" + letter + "'] button")).click();
            return true;
        });
        wait.until(b -> b.findElements(By.cssSelector("tr[data-dead-letter='" + letter + "']")).isEmpty());
        await().atMost(WAIT).until(() -> bundle.queryLong("SELECT COUNT(*) FROM webhook_inbox WHERE dead_letter_id = ? "
                + "AND state = 'done' AND last_error IS NULL", letter) == 1);
        int refreshes = refreshes();
        wait.until(b -> refreshes() > refreshes + 1);
        assertThat(browser.findElements(By.cssSelector("tr[data-dead-letter='" + letter + "']")))
                .as("gone after later refreshes too").isEmpty();
        assertThat(browser.findElement(By.id("dead-count")).getText()).isEqualTo("0");

        Row done = seen(new WebDriverWait(browser, Duration.ofSeconds(60)),
                "tr[data-run='" + secondRun + "'][data-state='completed']");
        assertThat(done.percent()).isEqualTo("100");
        assertThat(done.text()).contains(PEOPLE + " records", result(secondRun));
    }

    /** What a table row shows, read at once: the page redraws its tables on every refresh. */
    private record Row(String state, String percent, String text) {}

    /** The first row matching {@code css}, once the page shows one. */
    private static Row seen(WebDriverWait wait, String css) {
        return wait.ignoring(StaleElementReferenceException.class).until(b -> snapshot(b, css).orElse(null));
    }

    private static Optional<Row> snapshot(WebDriver b, String css) {
        List<WebElement> rows = b.findElements(By.cssSelector(css));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        WebElement row = rows.get(0);
        List<WebElement> bars = row.findElements(By.cssSelector(".bar"));
        return Optional.of(new Row(row.getAttribute("data-state"),
                bars.isEmpty() ? "" : bars.get(0).getAttribute("data-percent"), row.getText()));
    }

    private static String startSync() throws Exception {
        return api("POST", "/api/sync/people", null).path("run_id").asText();
    }

    /** A finished run's counts as GET /api/sync/runs/{id} gives them, in the page's words. */
    private static String result(String runId) throws Exception {
        JsonNode run = api("GET", "/api/sync/runs/" + runId, null);
        return "created " + run.path("created").asLong() + ", updated " + run.path("updated").asLong() + ", unchanged "
                + run.path("unchanged").asLong() + ", deleted " + run.path("deleted").asLong();
    }

    /** A call of the bundle API with its token; a null body sends none. */
    private static JsonNode api(String method, String path, String json) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Authorization", "Bearer " + bundle.apiToken()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
        return JSON.readTree(r.body());
    }

    private static int refreshes() {
        String n = browser.findElement(By.tagName("body")).getAttribute("data-refreshes");
        return n == null ? 0 : Integer.parseInt(n);
    }

    private static void screenshot() throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), Path.of("target/operations-page.png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean required() {
        String setting = System.getProperty("attio.test.browser.required", System.getenv("ATTIO_TEST_BROWSER_REQUIRED"));
        return Boolean.parseBoolean(setting);
    }

    /** The first of these programs on the PATH, or null. */
    private static Path executable(String... names) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.of(names).flatMap(name -> Stream.of(path.split(File.pathSeparator))
                        .filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, name)))
                .filter(Files::isExecutable).findFirst().orElse(null);
    }
}

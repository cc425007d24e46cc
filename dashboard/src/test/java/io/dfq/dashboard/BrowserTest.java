package io.dfq.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.dfq.results.H2ResultStore;
import io.dfq.results.ResultReader;
import io.dfq.results.TrialResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}, which {@code .ci/run} installs): the leaderboard from a seeded database,
 * sorted and filtered through its controls, a trial page with its image and charts, the charts
 * page and live updates. Runs where {@code /usr/bin/chromedriver} exists; {@link #screenshot}
 * only when {@code -Ddfq.screenshot=FILE} asks for the README's picture.
 */
@EnabledIf("chromeInstalled")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserTest {

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    /** Held so that its level sticks: Selenium warns that it has no DevTools bindings for Debian's version. */
    private static final Logger SELENIUM_LOG = Logger.getLogger("org.openqa.selenium");

    private Path home;
    private String zeroq;
    private ResultReader reader;
    private DashboardServer server;
    private ChromeDriver browser;

    static boolean chromeInstalled() {
        return Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
    }

    @BeforeAll
    void start(@TempDir Path dir, @TempDir Path profile) throws IOException {
        SELENIUM_LOG.setLevel(Level.SEVERE);
        home = dir.resolve("home");
        zeroq = Seeded.fill(home, true);
        reader = H2ResultStore.openReadOnly(home);
        server = DashboardServer.start(reader, home.resolve("artifacts"), "127.0.0.1", 0, Duration.ofMillis(200));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1440,1000");
        // The driver named here, not one that Selenium Manager would look up or download.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        browser = new ChromeDriver(options);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        server.close();
        reader.close();
    }

    @Test
    @Order(1)
    void leaderboardLoadsSortsAndFiltersWithValuesShownAsText() {
        open("/");
        waitFor(() -> groupRows().size() == 13);
        assertThat(browser.findElements(By.cssSelector("#board tr.fp32"))).hasSize(1);
        assertThat(text("#summary")).isEqualTo("13 configurations, 37 trials");
        assertThat(top1(0)).isGreaterThan(88.5);

        header("top1").click();
        waitFor(() -> top1(0) < 60);
        assertThat(cell(0, "generator")).isEqualTo(Seeded.HOSTILE_GENERATOR);
        assertThat(browser.findElement(By.cssSelector("select[name=recipe]")).getText())
                .contains(Seeded.HOSTILE_RECIPE);
        assertThat(script("return window.pwned === undefined")).isEqualTo(true);
        assertThat(browser.findElements(By.cssSelector("#board img"))).isEmpty();

        choose("generator", "zeroq");
        waitFor(() -> groupRows().size() == 4);
        assertThat(groupRows()).allSatisfy(row -> assertThat(row.getText()).contains("zeroq"));
        browser.findElement(By.cssSelector("input[name=q]")).sendKeys("mse");
        waitFor(() -> groupRows().size() == 2);
        assertThat(browser.getCurrentUrl()).contains("generator=zeroq").contains("q=mse").contains("sort=top1");
        assertThat(top1(0)).isLessThan(top1(1));
    }

    @Test
    @Order(2)
    void differsOnlyHidesTheColumnsEqualInEveryRowAndPagesMove() {
        open("/?recipe=quickstart&limit=25");
        waitFor(() -> groupRows().size() == 12);
        browser.findElement(By.id("differs")).click();
        waitFor(() -> !header("model").isDisplayed());
        assertThat(header("generator").isDisplayed()).isTrue();
        assertThat(browser.findElement(By.cssSelector("th[data-col=bits]")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.cssSelector("th[data-col=protocol]")).isDisplayed()).isFalse();

        open("/?recipe=quickstart&limit=5&offset=10");
        waitFor(() -> groupRows().size() == 2);
        assertThat(text("#range")).isEqualTo("11–12 of 12");
        browser.findElement(By.id("prev")).click();
        waitFor(() -> text("#range").equals("6–10 of 12"));
    }

    @Test
    @Order(3)
    void aRowOpensItsSeedsAndATrialPageShowsItsImageAndCharts() {
        open("/?generator=zeroq&quantizer=minmax&wbits=8");
        waitFor(() -> groupRows().size() == 1);
        groupRows().get(0).click();
        waitFor(() -> browser.findElements(By.cssSelector("tr.detail a")).size() == 3);
        browser.findElements(By.cssSelector("tr.detail a")).get(0).click();

        waitFor(() -> browser.getCurrentUrl().endsWith("/trial/" + zeroq));
        waitFor(() -> Boolean.TRUE.equals(script("const i = document.getElementById('grid');"
                + " return !i.hidden && i.complete && i.naturalWidth === 120")));
        waitFor(() -> Long.valueOf(2).equals(script("const c = echarts.getInstanceByDom("
                + "document.getElementById('loss-chart')); return c ? c.getOption().series.length : 0")));
        assertThat(browser.findElements(By.cssSelector("#loss-chart canvas"))).isNotEmpty();
        waitFor(() -> Long.valueOf(3).equals(script("const c = echarts.getInstanceByDom("
                + "document.getElementById('curve-chart')); return c ? c.getOption().series[0].data.length : 0")));
        assertThat(browser.findElements(By.cssSelector("#stages-chart canvas"))).isNotEmpty();
        assertThat(script("return echarts.getInstanceByDom(document.getElementById('stages-chart'))"
                + ".getOption().yAxis[0].data"))
                .isEqualTo(List.of("teacher", "synthesis", "quantization", "evaluation"));
        assertThat(text("#facts")).contains("DONE").contains("cpu-1");
        assertThat(text("#config")).contains("\"iters\": 500");
        assertThat(browser.findElement(By.linkText("quantized/" + zeroq + "/model.dfqm")).getAttribute("href"))
                .endsWith("/api/trials/" + zeroq + "/artifacts/quantized_model");
    }

    @Test
    @Order(4)
    void chartsAndAblationRenderFromTheApi() {
        open("/charts?recipe=quickstart");
        waitFor(() -> Long.valueOf(2).equals(script("const c = echarts.getInstanceByDom("
                + "document.getElementById('pareto-chart')); return c ? c.getOption().series[1].data.length : 0")));
        waitFor(() -> Long.valueOf(6).equals(script("const c = echarts.getInstanceByDom("
                + "document.getElementById('bits-chart')); return c ? c.getOption().series.length : 0")));
        waitFor(() -> Long.valueOf(36).equals(script("const c = echarts.getInstanceByDom("
                + "document.getElementById('parallel-chart')); return c ? c.getOption().series[0].data.length : 0")));

        open("/ablation?recipe=quickstart&metric=drop");
        waitFor(() -> browser.findElements(By.cssSelector("#ablation tbody tr")).size() == 6);
        assertThat(browser.findElements(By.cssSelector("#ablation thead th"))).extracting(WebElement::getText)
                .containsExactly("generator", "quantizer", "W8A8", "W4A4");
        assertThat(browser.findElements(By.cssSelector("#ablation tbody strong"))).hasSize(2);
        assertThat(browser.findElement(By.id("tex")).getAttribute("href"))
                .endsWith("/api/ablation.tex?recipe=quickstart&metric=drop");
    }

    @Test
    @Order(5)
    void liveFeedShowsRunningTrialsAndReloadsWhenOneFinishes() throws IOException {
        open("/");
        waitFor(() -> browser.findElement(By.id("live")).isDisplayed());
        assertThat(text("#live-trials")).contains("later-real-m").contains("real / mse W2A2");
        waitFor(() -> groupRows().size() == 13);

        try (H2ResultStore writer = H2ResultStore.open(home)) {
            writer.recordSuccess("later-real-mse-2-0", 1, new TrialResult(Map.of("top1", 31.0, "fp32_top1", 88.65,
                    "agreement", 32.0, "size_bytes", 24_000.0), Map.of("evaluation", 9.0), Map.of()));
        }
        waitFor(() -> groupRows().size() == 14);
        waitFor(() -> !browser.findElement(By.id("live")).isDisplayed());
    }

    @Test
    @Order(6)
    @EnabledIfSystemProperty(named = "dfq.screenshot", matches = ".+")
    void screenshot(@TempDir Path clean) throws IOException {
        Seeded.fill(clean, false);
        try (ResultReader cleanReader = H2ResultStore.openReadOnly(clean);
                DashboardServer cleanServer = DashboardServer.start(cleanReader, clean.resolve("artifacts"),
                        "127.0.0.1", 0)) {
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
            browser.get("http://127.0.0.1:" + cleanServer.port() + "/?recipe=quickstart&differs=1");
            waitFor(() -> groupRows().size() == 12);
            Files.write(Path.of(System.getProperty("dfq.screenshot")), browser.getScreenshotAs(OutputType.BYTES));
        }
    }

    private void open(String path) {
        browser.get("http://127.0.0.1:" + server.port() + path);
    }

    private List<WebElement> groupRows() {
        return browser.findElements(By.cssSelector("#board tbody tr.group"));
    }

    private WebElement header(String sortOrColumn) {
        return browser.findElement(By.cssSelector("th[data-sort=" + sortOrColumn + "]"));
    }

    private String cell(int row, String column) {
        return groupRows().get(row).findElement(By.cssSelector("td[data-col=" + column + "]")).getText();
    }

    private double top1(int row) {
        String text = groupRows().get(row).findElements(By.tagName("td")).get(7).getText();
        return Double.parseDouble(text.split(" ")[0]);
    }

    private String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    private void choose(String select, String value) {
        browser.findElement(By.cssSelector("select[name=" + select + "] option[value='" + value + "']")).click();
    }

    private Object script(String code) {
        return ((JavascriptExecutor) browser).executeScript(code);
    }

    /** Polls {@code condition} (exceptions count as false) for up to 10 s. */
    private static void waitFor(Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.get()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("condition not met within 10 s", last);
    }
}

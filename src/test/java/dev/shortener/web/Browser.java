package dev.shortener.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Debian Chromium driven through Selenium, for page tests: console errors (CSP violations
 * included, which Chromium logs as SEVERE "... violates the following Content Security Policy
 * directive ... The action has been blocked." messages), axe-core checks, screenshots. Uses {@code
 * /usr/bin/chromium} and {@code /usr/bin/chromedriver}, or the browser and driver named by {@code
 * CHROME_BIN} and {@code CHROMEDRIVER} (a GitHub runner's preinstalled Chrome), never Selenium Manager.
 */
public final class Browser implements AutoCloseable {

    private static final File CHROMIUM = tool("CHROME_BIN", "/usr/bin/chromium");
    private static final File CHROMEDRIVER = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
    private static final List<String> WCAG_TAGS = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa");
    /** The 404 of the favicon the browser asks for on its own, after the load, for any page. */
    private static final Pattern FAVICON_404 =
            Pattern.compile("^https?://[^/]+/favicon\\.ico - Failed to load resource: .* 404 .*");

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    private static File tool(String variable, String debianPath) {
        String path = System.getenv(variable);
        return new File(path == null || path.isBlank() ? debianPath : path);
    }

    /**
     * Starts headless Chromium in which each given host name resolves to 127.0.0.1. Without the
     * Debian packages it fails, or aborts the test with SKIP_TOOL_CHECKS=true (as the tool checks do).
     */
    public static Browser start(String... hostsToLoopback) {
        if (!CHROMIUM.canExecute() || !CHROMEDRIVER.canExecute()) {
            String message = "browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": run `apt-get install chromium chromium-driver` or .ci/run"
                    + " (or set SKIP_TOOL_CHECKS=true to skip them)";
            if ("true".equals(System.getenv("SKIP_TOOL_CHECKS"))) {
                Assumptions.abort(message);
            }
            fail(message);
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("browser-profile");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                "--user-data-dir=" + profile);
        if (hostsToLoopback.length > 0) {
            options.addArguments("--host-resolver-rules="
                    + Arrays.stream(hostsToLoopback)
                            .map(host -> "MAP " + host + " 127.0.0.1")
                            .collect(Collectors.joining(", "))
                    + ", EXCLUDE localhost");
        }
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .withSilent(true)
                .build();
        try {
            return new Browser(new ChromeDriver(service, options), profile);
        } catch (RuntimeException e) {
            delete(profile);
            throw e;
        }
    }

    /** Starts headless Chromium in which each key of the map resolves to 127.0.0.1. */
    public static Browser start(Map<String, String> hostsToLoopback) {
        return start(hostsToLoopback.keySet().toArray(String[]::new));
    }

    /** The underlying driver, for anything this wrapper does not cover. */
    public WebDriver driver() {
        return driver;
    }

    /** Navigates to the URL and waits for the page load. */
    public void open(String url) {
        driver.get(url);
    }

    /** Sets the window to a phone's size, 390x844. */
    public void phoneWidth() {
        driver.manage().window().setSize(new Dimension(390, 844));
    }

    /** Sets the window to a desktop size, 1280x900. */
    public void desktopWidth() {
        driver.manage().window().setSize(new Dimension(1280, 900));
    }

    /**
     * SEVERE browser-log messages (console errors, failed loads, CSP violations) since the last call,
     * but for a missing {@code /favicon.ico}, which the browser itself requests, and for the error
     * status of the page now shown (an error page is meant to answer one; its resources are not).
     */
    public List<String> consoleErrors() {
        String ownStatus =
                driver.getCurrentUrl() + " - Failed to load resource: the server responded with a status of ";
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !FAVICON_404.matcher(message).matches())
                .filter(message -> !message.startsWith(ownStatus))
                .toList();
    }

    /** Fails with the messages if the browser logged errors since the last call. */
    public void assertNoConsoleErrors(String page) {
        assertThat(consoleErrors()).as("console errors on %s", page).isEmpty();
    }

    /** Fails listing the serious or critical WCAG 2.1 A/AA violations axe-core finds on the page. */
    public void assertAccessible(String page) {
        var results = new AxeBuilder().withTags(WCAG_TAGS).analyze(driver);
        assertThat(results.isErrored())
                .as("axe-core failed on %s: %s", page, results.getErrorMessage())
                .isFalse();
        List<String> violations = results.getViolations().stream()
                .filter(rule -> "serious".equals(rule.getImpact()) || "critical".equals(rule.getImpact()))
                .map(Browser::describe)
                .toList();
        assertThat(violations).as("accessibility violations on %s", page).isEmpty();
    }

    private static String describe(Rule rule) {
        Object target =
                rule.getNodes().isEmpty() ? "" : rule.getNodes().getFirst().getTarget();
        if (target instanceof List<?> selectors && !selectors.isEmpty()) {
            target = selectors.getFirst();
        }
        return rule.getId() + " (" + rule.getImpact() + "): " + rule.getHelp() + " at " + target;
    }

    /** Writes a PNG screenshot of the window to the file, creating its directories. */
    public Path screenshot(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            return Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Quits the browser and deletes its temporary profile. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            delete(profile);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A file Chromium still held; the directory stays in the temp folder.
        }
    }
}

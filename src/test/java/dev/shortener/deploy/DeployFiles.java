package dev.shortener.deploy;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** The deployment files of the repository and the command-line tools that check them. */
final class DeployFiles {

    private DeployFiles() {}

    /** The repository root (Maven runs the tests from the project directory). */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        if (!Files.exists(dir.resolve("docker-compose.yml"))) {
            fail("docker-compose.yml not found in %s: run the tests from the repository root", dir);
        }
        return dir;
    }

    static String read(String relative) {
        try {
            return Files.readString(root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One YAML document as nested maps and lists (merge keys resolved). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(String text) {
        return (Map<String, Object>) new Yaml(new LoaderOptions()).load(text);
    }

    /** Every document of a multi-document YAML stream that is not empty. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml(new LoaderOptions()).loadAll(text)) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    /** A nested value by keys; null when any step is missing. */
    @SuppressWarnings("unchecked")
    static Object at(Object node, String... keys) {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = ((Map<String, Object>) map).get(key);
        }
        return current;
    }

    /**
     * Requires a command-line tool. Missing tools fail the test with the package to install, unless
     * SKIP_TOOL_CHECKS=true, which skips it instead (for machines that cannot install them).
     */
    static void requireTool(String command, String howToInstall) {
        boolean present = List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                        .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)))
                || Files.isExecutable(Path.of("/usr/sbin", command));
        if (present) {
            return;
        }
        String message =
                command + " is not installed: " + howToInstall + " (or set SKIP_TOOL_CHECKS=true to skip this check)";
        if ("true".equals(System.getenv("SKIP_TOOL_CHECKS"))) {
            abort(message);
        }
        fail(message);
    }

    record Run(int exitCode, String output) {}

    /** Runs a command to completion (stdout and stderr together), failing after the timeout. */
    static Run run(Duration timeout, List<String> command) {
        return run(timeout, command, Map.of());
    }

    /** {@link #run(Duration, List)} with more environment variables. */
    static Run run(Duration timeout, List<String> command, Map<String, String> environment) {
        try {
            Path output = Files.createTempFile("deploy-check", ".out");
            try {
                ProcessBuilder builder = new ProcessBuilder(command);
                builder.environment().putAll(environment);
                Process process = builder.redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
                process.getOutputStream().close();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    fail("%s did not finish within %s", command, timeout);
                }
                return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Duration seconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}

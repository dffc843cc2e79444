package dev.shortener.platform.observability;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs promtool and amtool (Debian packages {@code prometheus} and {@code
 * prometheus-alertmanager}). A missing tool fails the test with the command to install it, unless
 * {@code SKIP_TOOL_CHECKS=true}.
 */
final class MonitoringTools {

    /** Output and exit code of one tool run. */
    record Run(int exitCode, String output) {}

    private MonitoringTools() {}

    static Run run(String tool, List<String> arguments) {
        Path binary = locate(tool);
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(arguments);
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return fail("%s did not finish in 120 s: %s", tool, command);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path locate(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = tool + " is not installed: run `apt-get install -y prometheus prometheus-alertmanager`"
                + " (or set SKIP_TOOL_CHECKS=true to skip the monitoring configuration checks)";
        if ("true".equalsIgnoreCase(System.getenv("SKIP_TOOL_CHECKS"))) {
            Assumptions.abort(message);
        }
        return fail(message);
    }
}

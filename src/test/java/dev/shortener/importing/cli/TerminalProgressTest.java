package dev.shortener.importing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TerminalProgressTest {

    private final AtomicLong now = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private double done;

    private TerminalProgress progress() {
        return TerminalProgress.silent("users.csv", rows::get, () -> done, now::get);
    }

    @Test
    void theLineSaysRowsRateShareAndTimeLeft() {
        TerminalProgress progress = progress();
        now.set(4_000_000_000L);
        rows.set(240_000);
        done = 0.25;

        assertThat(progress.line()).isEqualTo("users.csv: 240,000 rows, 60,000/s, 25%, 12 s left");

        now.set(40_000_000_000L);
        done = 0.4;
        assertThat(progress.line()).endsWith(", 40%, 1 min 0 s left");
    }

    @Test
    void noRateBeforeHalfASecondAndNoTimeLeftUntilSomethingIsDone() {
        TerminalProgress progress = progress();
        assertThat(progress.line()).isEqualTo("users.csv: 0 rows, 0%");
        now.set(2_000_000_000L);
        assertThat(progress.line()).isEqualTo("users.csv: 0 rows, 0/s, 0%");
        done = 1;
        rows.set(10);
        assertThat(progress.line()).isEqualTo("users.csv: 10 rows, 5/s, 100%");
    }

    @Test
    @SuppressWarnings("try")
    void aCommandWhoseOutputIsNotATerminalPrintsNoProgress() {
        // the build's output is a pipe: the command line must print its summary lines only
        assertThat(TerminalProgress.isTerminal()).isFalse();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (TerminalProgress progress = TerminalProgress.start("x", out, rows::get, () -> 0.5)) {
            rows.set(5);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}

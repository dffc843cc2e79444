package dev.shortener.importing.cli;

import java.io.Console;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * One line of progress for the command line, redrawn in place twice a second: rows so far, their
 * rate, the share done and the time left. It prints nothing when the output is not a terminal
 * (a pipe, a file, a CI log), so that logs keep only the summary lines.
 */
public final class TerminalProgress implements AutoCloseable {

    private static final long REDRAW_MILLIS = 500;

    private final String label;
    private final PrintStream out;
    private final LongSupplier rows;
    private final DoubleSupplier done;
    private final LongSupplier clock;
    private final long start;
    private final @Nullable ScheduledExecutorService redraw;
    private int width;

    private TerminalProgress(
            String label, PrintStream out, LongSupplier rows, DoubleSupplier done, LongSupplier clock, boolean draw) {
        this.label = label;
        this.out = out;
        this.rows = rows;
        this.done = done;
        this.clock = clock;
        this.start = clock.getAsLong();
        if (draw) {
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("progress").daemon().factory());
            scheduler.scheduleAtFixedRate(this::draw, REDRAW_MILLIS, REDRAW_MILLIS, TimeUnit.MILLISECONDS);
            this.redraw = scheduler;
        } else {
            this.redraw = null;
        }
    }

    /**
     * Starts redrawing when standard output is a terminal.
     *
     * @param rows rows processed so far
     * @param done the share of the work done so far, from 0 to 1
     */
    static TerminalProgress start(String label, PrintStream out, LongSupplier rows, DoubleSupplier done) {
        return new TerminalProgress(label, out, rows, done, System::nanoTime, isTerminal());
    }

    /** A progress line that is never drawn by itself, for {@link #line}. */
    static TerminalProgress silent(String label, LongSupplier rows, DoubleSupplier done, LongSupplier clock) {
        return new TerminalProgress(label, System.out, rows, done, clock, false);
    }

    /** Whether standard input and output are a terminal. */
    static boolean isTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Java 22 and later return a console for redirected output too and tell with isTerminal()
            return (boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** The line as it would be drawn now, e.g. {@code users.csv: 420,000 rows, 61,000/s, 38%, 9 s left}. */
    String line() {
        double seconds = (clock.getAsLong() - start) / 1e9;
        long count = rows.getAsLong();
        double share = Math.clamp(done.getAsDouble(), 0, 1);
        StringBuilder line = new StringBuilder(label).append(": ");
        line.append(String.format(Locale.ROOT, "%,d rows", count));
        if (seconds >= 0.5) {
            line.append(String.format(Locale.ROOT, ", %,d/s", Math.round(count / seconds)));
        }
        line.append(String.format(Locale.ROOT, ", %d%%", (int) Math.floor(share * 100)));
        if (share > 0.01 && share < 1 && seconds >= 1) {
            line.append(", ").append(left(Duration.ofSeconds(Math.round(seconds * (1 - share) / share))));
        }
        return line.toString();
    }

    private static String left(Duration left) {
        return left.toMinutes() > 0
                ? String.format(Locale.ROOT, "%d min %d s left", left.toMinutes(), left.toSecondsPart())
                : left.toSeconds() + " s left";
    }

    private synchronized void draw() {
        String line = line();
        // pad over a longer previous line; \r returns to the start of the line without a new one
        out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        out.flush();
        width = line.length();
    }

    /** Stops redrawing and clears the line, so that the summary line takes its place. */
    @Override
    public void close() {
        ScheduledExecutorService scheduler = redraw;
        if (scheduler == null) {
            return;
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (width > 0) {
                out.print("\r" + " ".repeat(width) + "\r");
                out.flush();
            }
        }
    }
}

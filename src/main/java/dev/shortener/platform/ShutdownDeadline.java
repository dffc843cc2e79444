package dev.shortener.platform;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * The one deadline of a graceful stop: {@code SHUTDOWN_TIMEOUT} from the moment the context starts
 * closing. Each stage that may wait (requests in flight, the click journal's last load, import
 * workers finishing their chunk) waits at most what is left, so the stages together finish within
 * the timeout, below the orchestrator's grace period (ADR 0009).
 */
@Component
public class ShutdownDeadline implements ApplicationListener<ContextClosedEvent> {

    private final Duration timeout;
    /** {@link System#nanoTime()} at which the stop must be over; 0 while not stopping. */
    private volatile long deadlineNanos;

    public ShutdownDeadline(@Value("${spring.lifecycle.timeout-per-shutdown-phase:25s}") Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public synchronized void onApplicationEvent(ContextClosedEvent event) {
        // once: a child context (the management port's) closing announces the same stop
        if (deadlineNanos == 0) {
            deadlineNanos = System.nanoTime() + timeout.toNanos();
        }
    }

    /** {@code wanted}, or what is left of the stop's time if that is less (at least 1 ms). */
    public Duration atMost(Duration wanted) {
        long deadline = deadlineNanos;
        if (deadline == 0) {
            return wanted.compareTo(timeout) < 0 ? wanted : timeout;
        }
        Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
        return wanted.compareTo(left) < 0 ? wanted : left;
    }
}

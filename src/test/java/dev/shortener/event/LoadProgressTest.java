package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.event.ClickJournal.Position;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A flush waiting for the loader is told when it stops, not left to wait out its timeout. */
class LoadProgressTest {

    @Test
    void aWaitEndsWhenTheLoaderStopsAndWhenItsTargetIsReached() throws Exception {
        LoadProgress progress = new LoadProgress(new PendingClicks());
        AtomicBoolean running = new AtomicBoolean(true);
        Position target = new Position(0, 100);

        CompletableFuture<Boolean> reached =
                CompletableFuture.supplyAsync(() -> progress.await(target, Duration.ofMinutes(1), running::get));
        progress.reached(new Position(0, 50));
        progress.reached(new Position(0, 100));
        assertThat(reached.get(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> stopped = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform()
                .start(() -> stopped.complete(progress.await(new Position(1, 0), Duration.ofMinutes(1), running::get)));
        // parked before the stop: a stop seen at the waiter's first check would prove nothing
        await().atMost(Duration.ofSeconds(5)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        running.set(false);
        progress.stopped();
        assertThat(stopped.get(5, TimeUnit.SECONDS)).isFalse();
    }
}

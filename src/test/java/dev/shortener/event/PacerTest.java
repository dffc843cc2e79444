package dev.shortener.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacerTest {

    private final Pacer pacer = new Pacer(Duration.ofSeconds(30));

    @AfterEach
    void stop() {
        pacer.stop();
    }

    private static long millisOf(Runnable action) {
        long start = System.nanoTime();
        action.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void aPauseLastsAtLeastItsTimeAndNotMuchLonger() {
        pacer.start("pacer-test");

        long paused = millisOf(() -> pacer.pause(TimeUnit.MILLISECONDS.toNanos(40)));

        assertThat(paused).isBetween(40L, 40L + 500);
    }

    @Test
    void concurrentPausesEachEndAfterTheirOwnTime() throws InterruptedException {
        pacer.start("pacer-test");
        var took = new ConcurrentHashMap<Integer, Long>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < 200; i++) {
            int millis = 1 + i % 60;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                long paused = millisOf(() -> pacer.pause(TimeUnit.MILLISECONDS.toNanos(millis)));
                took.merge(millis, paused, Math::min);
            }));
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(10));
        }

        assertThat(threads).noneMatch(Thread::isAlive);
        assertThat(took).hasSize(60);
        took.forEach((asked, shortest) ->
                assertThat(shortest).as("pause of %d ms", asked).isGreaterThanOrEqualTo(asked));
    }

    @Test
    void stoppingReleasesEveryWaiterAtOnce() throws InterruptedException {
        pacer.start("pacer-test");
        CountDownLatch released = new CountDownLatch(20);
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiters.add(Thread.ofVirtual().start(() -> {
                pacer.pause(TimeUnit.SECONDS.toNanos(20));
                released.countDown();
            }));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> waiters.stream().allMatch(PacerTest::parked));
        assertThat(released.getCount()).isEqualTo(20);

        pacer.stop();

        assertThat(released.await(2, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anInterruptedCallerIsNotHeld() throws InterruptedException {
        pacer.start("pacer-test");
        long[] took = new long[1];
        Thread paused =
                Thread.ofVirtual().start(() -> took[0] = millisOf(() -> pacer.pause(TimeUnit.SECONDS.toNanos(20))));
        await().atMost(Duration.ofSeconds(5)).until(() -> parked(paused));

        paused.interrupt();
        paused.join(Duration.ofSeconds(2));

        assertThat(paused.isAlive()).isFalse();
        assertThat(took[0]).isLessThan(2_000);
    }

    @Test
    void withoutATickerAPauseStillLastsItsTime() {
        assertThat(millisOf(() -> pacer.pause(TimeUnit.MILLISECONDS.toNanos(40))))
                .isBetween(40L, 40L + 500);
        pacer.start("pacer-test");
        pacer.stop();
        assertThat(millisOf(() -> pacer.pause(TimeUnit.MILLISECONDS.toNanos(40))))
                .isBetween(40L, 40L + 500);
    }

    @Test
    void theTickerSleepsWhileNobodyWaitsAndWakesForTheNextWaiter() throws InterruptedException {
        pacer.start("pacer-idle-test");
        pacer.pause(TimeUnit.MILLISECONDS.toNanos(5));
        Thread ticker = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("pacer-idle-test"))
                .findFirst()
                .orElseThrow();

        // untimed: it does not wake every tick while nobody waits
        await().atMost(Duration.ofSeconds(5)).until(() -> ticker.getState() == Thread.State.WAITING);

        assertThat(millisOf(() -> pacer.pause(TimeUnit.MILLISECONDS.toNanos(30))))
                .isBetween(30L, 30L + 500);
    }

    private static boolean parked(Thread thread) {
        return thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.TIMED_WAITING;
    }
}

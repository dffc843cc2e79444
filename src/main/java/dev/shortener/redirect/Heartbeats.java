package dev.shortener.redirect;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The numbered heartbeats an instance publishes on the invalidation channel and listens for: which
 * Redis accepted, which arrived, and how long the oldest accepted one has gone unheard. Pub/sub
 * keeps order, so a heartbeat heard after an earlier accepted one that never came proves a loss.
 */
final class Heartbeats {

    static final String PREFIX = "~";

    private final String ownPrefix = PREFIX + UUID.randomUUID() + ":";
    private final AtomicLong sequence = new AtomicLong();
    /** Heartbeats Redis accepted that have not been heard yet: sequence to acceptance time (nanoTime). */
    private final ConcurrentNavigableMap<Long, Long> unheard = new ConcurrentSkipListMap<>();

    private volatile long heardSequence;

    /** The next heartbeat to publish, as its message and its number. */
    Beat next() {
        long number = sequence.incrementAndGet();
        return new Beat(ownPrefix + number, number);
    }

    /** Redis accepted {@code beat} while this instance was subscribed: it should be heard. */
    void accepted(Beat beat) {
        if (beat.number() > heardSequence) {
            unheard.put(beat.number(), System.nanoTime());
            if (heardSequence >= beat.number()) {
                unheard.remove(beat.number()); // heard while it was being recorded
            }
        }
    }

    /** What a message heard on the channel is, as far as heartbeats go. */
    enum Heard {
        NOT_A_HEARTBEAT,
        ANOTHER_INSTANCES,
        OWN,
        OWN_AFTER_A_LOSS
    }

    Heard heard(String message) {
        if (!message.startsWith(PREFIX)) {
            return Heard.NOT_A_HEARTBEAT;
        }
        if (!message.startsWith(ownPrefix)) {
            return Heard.ANOTHER_INSTANCES;
        }
        long number = Long.parseLong(message, ownPrefix.length(), message.length(), 10);
        heardSequence = Math.max(heardSequence, number);
        Map<Long, Long> before = unheard.headMap(number, true);
        boolean lostOne = before.keySet().stream().anyMatch(earlier -> earlier < number);
        before.clear();
        return lostOne ? Heard.OWN_AFTER_A_LOSS : Heard.OWN;
    }

    /** How long the oldest of at least two accepted heartbeats has gone unheard; 0 if fewer wait. */
    long silentNanos() {
        Map.Entry<Long, Long> oldest = unheard.firstEntry();
        return oldest == null || unheard.size() < 2 ? 0 : System.nanoTime() - oldest.getValue();
    }

    /** Forgets what was accepted: a new subscription cannot hear it. */
    void clear() {
        unheard.clear();
    }

    record Beat(String message, long number) {}
}

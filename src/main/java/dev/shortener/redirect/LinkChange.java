package dev.shortener.redirect;

import dev.shortener.link.ShortCode;
import dev.shortener.redirect.CachedLink.Version;
import org.jspecify.annotations.Nullable;

/**
 * A short code changed to state {@code mark} at {@code changedAtMillis} (epoch): what Redis keeps
 * in place of the old copy, and the message that tells every instance (ADR 0008).
 */
record LinkChange(String code, Version mark, long changedAtMillis) {

    /** The link was created or changed; its new state is read at its next lookup. */
    static LinkChange changed(String code, long version, long changedAtMillis) {
        return new LinkChange(code, new Version(version, Version.STALE), changedAtMillis);
    }

    /** The link that had {@code version} is deleted, or its code moved to another link. */
    static LinkChange deleted(String code, long version, long changedAtMillis) {
        return new LinkChange(code, new Version(version, Version.ABSENT), changedAtMillis);
    }

    /** The code's absence, when that is the change; null when the new state must be read. */
    @Nullable
    CachedLink absent() {
        return mark.rank() == Version.ABSENT ? CachedLink.absent(mark.version()) : null;
    }

    /** The Redis value: the absent link, or a mark that no copy older than the change may replace. */
    String value() {
        CachedLink absent = absent();
        return absent != null ? absent.encode() : mark.version() + "|~";
    }

    /** {@code code|version|rank|changedAtMillis}. */
    String message() {
        return code + "|" + mark.version() + "|" + mark.rank() + "|" + changedAtMillis;
    }

    /**
     * A bare code: a change made by an instance of the release before versions, during a rolling
     * deploy. It carries no version, so the copy is simply dropped.
     */
    boolean fromOlderRelease() {
        return mark.version() < 0;
    }

    /** Reads a {@link #message()} or a bare code; null for anything else. */
    static @Nullable LinkChange parse(String message, long receivedAtMillis) {
        String[] parts = message.split("\\|", -1);
        if (parts.length == 1) {
            return ShortCode.isWellFormed(message)
                    ? new LinkChange(message, new Version(-1, Version.STALE), receivedAtMillis)
                    : null;
        }
        if (parts.length != 4) {
            return null;
        }
        try {
            int rank = Integer.parseInt(parts[2]);
            if (rank != Version.STALE && rank != Version.ABSENT) {
                return null;
            }
            return new LinkChange(parts[0], new Version(Long.parseLong(parts[1]), rank), Long.parseLong(parts[3]));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

package dev.shortener.link;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Domains no link may point to, subdomains included: those of {@code BLOCKLIST_FILE} (one domain
 * a line, {@code #} comments; read again when it changes) and those admins add through the API
 * (the blocked_domains table). Both are held in memory and looked at again at most once a {@link
 * #RECHECK}, so saving a link costs no query.
 */
@Repository
class Blocklist {

    static final Duration RECHECK = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(Blocklist.class);

    /** A domain an admin added. */
    record BlockedDomain(String domain, @Nullable String reason, LocalDateTime createdAt) {}

    private final JdbcClient db;
    private final @Nullable Path file;
    private final Clock clock = Clock.systemUTC();
    private volatile Snapshot snapshot = new Snapshot(Set.of(), Set.of(), null, Instant.MIN);

    private record Snapshot(
            Set<String> fromFile,
            Set<String> fromApi,
            @Nullable FileTime fileTime,
            Instant checked) {}

    Blocklist(JdbcClient db, LinkSettings settings) {
        this.db = db;
        this.file = settings.blocklistFile() == null || settings.blocklistFile().isBlank()
                ? null
                : Path.of(settings.blocklistFile());
    }

    /** Whether {@code host} (lower-case ASCII) or a domain above it is blocked. */
    boolean blocks(String host) {
        Snapshot current = fresh();
        for (String domain = host; ; domain = domain.substring(domain.indexOf('.') + 1)) {
            if (current.fromFile().contains(domain) || current.fromApi().contains(domain)) {
                return true;
            }
            if (domain.indexOf('.') < 0) {
                return false;
            }
        }
    }

    List<BlockedDomain> added() {
        return db.sql("SELECT domain, reason, created_at FROM blocked_domains ORDER BY domain")
                .query(BlockedDomain.class)
                .list();
    }

    /** Adds a domain; false when it was there already. */
    boolean add(String domain, @Nullable String reason) {
        boolean added = db.sql("INSERT INTO blocked_domains (domain, reason) VALUES (?, ?) ON CONFLICT DO NOTHING")
                        .params(domain, reason)
                        .update()
                == 1;
        snapshot = new Snapshot(snapshot.fromFile(), snapshot.fromApi(), snapshot.fileTime(), Instant.MIN);
        return added;
    }

    boolean remove(String domain) {
        boolean removed = db.sql("DELETE FROM blocked_domains WHERE domain = ?")
                        .param(domain)
                        .update()
                == 1;
        snapshot = new Snapshot(snapshot.fromFile(), snapshot.fromApi(), snapshot.fileTime(), Instant.MIN);
        return removed;
    }

    /** The domain as the blocklist keeps it: lower-case ASCII (punycode), without a trailing dot. */
    static Optional<String> normalized(String domain) {
        String trimmed = domain.trim().toLowerCase(Locale.ROOT);
        while (trimmed.endsWith(".")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        try {
            String ascii = java.net.IDN.toASCII(trimmed).toLowerCase(Locale.ROOT);
            return ascii.matches("([a-z0-9_-]+\\.)+[a-z0-9-]+") ? Optional.of(ascii) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Snapshot fresh() {
        Snapshot current = snapshot;
        Instant now = clock.instant();
        if (Duration.between(current.checked(), now).compareTo(RECHECK) < 0) {
            return current;
        }
        synchronized (this) {
            current = snapshot;
            if (Duration.between(current.checked(), now).compareTo(RECHECK) < 0) {
                return current;
            }
            FileTime time = fileTime();
            Set<String> fromFile = time != null && time.equals(current.fileTime()) ? current.fromFile() : readFile();
            Set<String> fromApi = Set.copyOf(db.sql("SELECT domain FROM blocked_domains")
                    .query(String.class)
                    .list());
            snapshot = new Snapshot(fromFile, fromApi, time, now);
            return snapshot;
        }
    }

    private @Nullable FileTime fileTime() {
        try {
            return file == null ? null : Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    private Set<String> readFile() {
        if (file == null) {
            return Set.of();
        }
        Set<String> domains = new HashSet<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String entry = line.replaceFirst("#.*", "").trim();
                if (!entry.isEmpty()) {
                    normalized(entry)
                            .ifPresentOrElse(domains::add, () -> log.warn("BLOCKLIST_FILE: not a domain: {}", entry));
                }
            }
            log.info("Blocklist: {} domains from {}", domains.size(), file);
        } catch (IOException e) {
            log.warn("BLOCKLIST_FILE {} cannot be read: {}", file, e.getMessage());
            return snapshot.fromFile();
        }
        return Set.copyOf(domains);
    }
}

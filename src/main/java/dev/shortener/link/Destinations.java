package dev.shortener.link;

import java.util.Set;
import java.util.function.Predicate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The destination policy as this deployment applies it to every link it saves (API and imports):
 * {@link Destination}'s rules with the service's own host names and the blocklist.
 */
@Component
public final class Destinations {

    private final Set<String> ownHosts;
    private final Predicate<String> blocked;

    @Autowired
    Destinations(LinkSettings settings, Blocklist blocklist) {
        this(settings.ownHosts(), blocklist::blocks);
    }

    private Destinations(Set<String> ownHosts, Predicate<String> blocked) {
        this.ownHosts = Set.copyOf(ownHosts);
        this.blocked = blocked;
    }

    /** The policy with these own hosts and blocklist, for code that runs without the application. */
    public static Destinations of(Set<String> ownHosts, Predicate<String> blocked) {
        return new Destinations(ownHosts, blocked);
    }

    public Destination.Verdict judge(String url) {
        return Destination.judge(url, ownHosts, blocked);
    }
}

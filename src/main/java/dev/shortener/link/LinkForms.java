package dev.shortener.link;

import dev.shortener.platform.Refused;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creating and changing links from the web application's forms, under the API's rules (the
 * destination policy, short-code rules, lengths); a refusal comes back as field messages to show
 * beside the form's inputs rather than as an exception.
 */
@Component
public class LinkForms {

    /** What became of a form: the saved link, or a message per refused field. */
    public record Outcome(@Nullable Link link, Map<String, String> errors) {

        static Outcome saved(Link link) {
            return new Outcome(link, Map.of());
        }

        static Outcome refused(Map<String, String> errors) {
            return new Outcome(null, Map.copyOf(errors));
        }
    }

    private final Links links;
    private final Destinations destinations;

    LinkForms(Links links, Destinations destinations) {
        this.links = links;
        this.destinations = destinations;
    }

    /** A new link of {@code owner} (null: nobody's); a blank code asks for a generated one. */
    public Outcome create(
            @Nullable Long owner, String url, @Nullable String title, @Nullable String code, String actor) {
        Map<String, String> errors = new LinkedHashMap<>();
        String target = target(url, errors);
        String name = title(title, errors);
        String custom = code == null || code.isBlank() ? null : code.trim();
        if (custom != null) {
            ShortCode.problemWith(custom).ifPresent(problem -> errors.put("short_code", "The short code " + problem));
        }
        if (!errors.isEmpty() || target == null) {
            return Outcome.refused(errors);
        }
        try {
            return Outcome.saved(links.create(
                    new NewLink(
                            owner, new OriginalUrl(target), name, custom == null ? null : new ShortCode(custom), true),
                    actor));
        } catch (Refused e) {
            if (e.reason() == Refused.Reason.TAKEN) {
                return Outcome.refused(Map.of("short_code", "The short code " + custom + " is already taken"));
            }
            throw e;
        }
    }

    /** New target, title and state of a link the caller may change (checked by the caller). */
    public Outcome update(long id, String url, @Nullable String title, boolean active, String actor) {
        Map<String, String> errors = new LinkedHashMap<>();
        String target = target(url, errors);
        String name = title(title, errors);
        if (!errors.isEmpty() || target == null) {
            return Outcome.refused(errors);
        }
        Optional<Link> updated = links.update(
                id, link -> link.withOriginalUrl(target).withTitle(name).withActive(active), actor);
        return updated.map(Outcome::saved)
                .orElseGet(() -> Outcome.refused(Map.of("link", "The link no longer exists")));
    }

    /** Deactivates the given links of {@code owner} that are active; how many were. */
    @Transactional
    public int deactivate(long owner, List<Long> ids, String actor) {
        int changed = 0;
        for (long id : ids) {
            Optional<Link> link = links.find(id);
            if (link.isPresent()
                    && Long.valueOf(owner).equals(link.get().userId())
                    && link.get().isActive()) {
                links.update(id, current -> current.withActive(false), actor);
                changed++;
            }
        }
        return changed;
    }

    private @Nullable String target(String url, Map<String, String> errors) {
        String trimmed = url.trim();
        if (trimmed.isEmpty()) {
            errors.put("original_url", "Enter the URL to shorten");
            return null;
        }
        if (trimmed.length() > OriginalUrl.MAX_LENGTH) {
            errors.put("original_url", "The URL must have at most " + OriginalUrl.MAX_LENGTH + " characters");
            return null;
        }
        Destination.Verdict verdict = destinations.judge(trimmed);
        if (!verdict.accepted()) {
            errors.put("original_url", "The URL " + verdict.message());
            return null;
        }
        return verdict.url();
    }

    private static @Nullable String title(@Nullable String title, Map<String, String> errors) {
        if (title == null || title.isBlank()) {
            return null;
        }
        if (title.length() > Link.TITLE_MAX_LENGTH) {
            errors.put("title", "The title must have at most " + Link.TITLE_MAX_LENGTH + " characters");
        }
        return title.trim();
    }
}

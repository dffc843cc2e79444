package dev.shortener.platform;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Paging of list endpoints: {@code page} from 1, {@code per_page} from 1 to 1000 (default 100).
 * Lists answer a bare JSON array with {@code X-Total-Count} and an RFC 8288 {@code Link} header.
 */
public record PageRequest(int page, int perPage) {

    public static final int DEFAULT_PER_PAGE = 100;
    public static final int MAX_PER_PAGE = 1000;

    public PageRequest {
        if (page < 1) {
            throw Problems.badRequest("page must be an integer of at least 1");
        }
        if (perPage < 1 || perPage > MAX_PER_PAGE) {
            throw Problems.badRequest("per_page must be an integer from 1 to " + MAX_PER_PAGE);
        }
    }

    /** Reads the raw query parameters; a missing one takes its default. */
    public static PageRequest of(@Nullable String page, @Nullable String perPage) {
        return new PageRequest(parse("page", page, 1), parse("per_page", perPage, DEFAULT_PER_PAGE));
    }

    public long offset() {
        return (long) (page - 1) * perPage;
    }

    /** The 200 answer for one page of {@code total} items. */
    public <T> ResponseEntity<List<T>> respond(List<T> items, long total) {
        HttpHeaders headers = new HttpHeaders();
        headers.add("X-Total-Count", Long.toString(total));
        List<String> links = new ArrayList<>();
        if (offset() + items.size() < total) {
            links.add(link(page + 1, "next"));
        }
        if (page > 1) {
            links.add(link(page - 1, "prev"));
        }
        links.add(link(1, "first"));
        long last = Math.max(1, (total + perPage - 1) / perPage);
        links.add(link(last, "last"));
        headers.add(HttpHeaders.LINK, String.join(", ", links));
        return ResponseEntity.ok().headers(headers).body(items);
    }

    private String link(long target, String rel) {
        String uri = ServletUriComponentsBuilder.fromCurrentRequest()
                .replaceQueryParam("page", target)
                .replaceQueryParam("per_page", perPage)
                .build()
                .toUriString();
        return "<" + uri + ">; rel=\"" + rel + "\"";
    }

    /** Parses an optional integer query parameter, refusing anything else with 400. */
    public static @Nullable Long optionalLong(String name, @Nullable String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw Problems.badRequest(name + " must be an integer");
        }
    }

    private static int parse(String name, @Nullable String raw, int fallback) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw Problems.badRequest(name + " must be an integer");
        }
    }
}

package dev.shortener.platform;

import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Min;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Keyset paging of a list in id order, bound from the query as {@link PageRequest} is and taken
 * with it ({@code per_page} sizes both): {@code after} gives the items with the next ids, {@code
 * before} the items just before an id, in id order too. A cursor page answers with {@code Link}
 * cursors ({@code next}, {@code prev}, {@code first}) and the planner's {@code
 * X-Total-Count-Estimate} instead of an exact count; it never holds an id above which an earlier one
 * could still commit ({@link CommitHorizon}).
 */
public record Cursor(
        @Parameter(
                description = "Cursor: the items with ids above this one, in id order (0 starts at the first);"
                        + " not with page or before",
                schema = @Schema(type = "integer", format = "int64", minimum = "0"))
        @Min(value = 0, message = "after must be an integer of at least 0")
        @Nullable
        Long after,

        @Parameter(
                description = "Cursor: the items just below this id, still in id order; not with page or after",
                schema = @Schema(type = "integer", format = "int64", minimum = "1"))
        @Min(value = 1, message = "before must be an integer of at least 1")
        @Nullable
        Long before) {

    public static final String ESTIMATE_HEADER = "X-Total-Count-Estimate";

    /** Whether the request pages by cursor. */
    boolean given() {
        return after != null || before != null;
    }

    /** Refuses a request that pages two ways at once. */
    void refuseMixedWith(PageRequest paging) {
        if (after != null && before != null) {
            throw Problems.badRequest("after and before cannot be combined: a cursor page goes one way");
        }
        if (paging.page() != null) {
            throw Problems.badRequest("page cannot be combined with after or before: page by number or by cursor");
        }
    }

    /** The lowest id excluded below the page. */
    long lower() {
        return after != null ? after : 0;
    }

    /** The lowest id excluded above the page, before the horizon caps it. */
    long upper() {
        return before != null ? before : Long.MAX_VALUE;
    }

    /** Whether the page is the last items below {@link #upper()} rather than the first above {@link #lower()}. */
    boolean backward() {
        return before != null;
    }

    /** The 200 answer for the cursor page {@code items} of at most {@code perPage}. */
    <T> ResponseEntity<List<T>> respond(List<T> items, ToLongFunction<T> id, int perPage, long estimate) {
        long next = items.isEmpty() ? (backward() ? upper() - 1 : lower()) : id.applyAsLong(items.getLast());
        long prev = items.isEmpty() ? next + 1 : id.applyAsLong(items.getFirst());
        boolean atStart = backward() ? items.size() < perPage : lower() == 0;
        List<String> links = new ArrayList<>();
        links.add(link("after", next, perPage, "next"));
        if (!atStart && prev > 1) {
            links.add(link("before", prev, perPage, "prev"));
        }
        links.add(link("after", 0, perPage, "first"));
        HttpHeaders headers = new HttpHeaders();
        headers.add(ESTIMATE_HEADER, Long.toString(estimate));
        headers.add(HttpHeaders.LINK, String.join(", ", links));
        return ResponseEntity.ok().headers(headers).body(items);
    }

    private static String link(String cursor, long id, int perPage, String rel) {
        String uri = ServletUriComponentsBuilder.fromCurrentRequest()
                .replaceQueryParam("after")
                .replaceQueryParam("before")
                .replaceQueryParam(cursor, id)
                .replaceQueryParam("per_page", perPage)
                .build()
                .toUriString();
        return "<" + uri + ">; rel=\"" + rel + "\"";
    }
}

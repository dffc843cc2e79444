package dev.shortener.platform;

import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.BindParam;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Paging of list endpoints, bound from the query by Spring's data binding and checked by Bean
 * Validation: {@code page} from 1, {@code per_page} from 1 to 1000 (default 100); a missing or empty
 * one takes its default. Lists answer a bare JSON array with {@code X-Total-Count} and an RFC 8288
 * {@code Link} header. {@code page} is kept as given (null when absent), so that a list that also
 * pages by {@link Cursor} can refuse both at once.
 */
public record PageRequest(
        @Parameter(description = "Page number, from 1", schema = @Schema(type = "integer", minimum = "1"))
        @Min(value = 1, message = "page must be an integer of at least 1")
        @Nullable
        Integer page,

        @Parameter(
                name = "per_page",
                description = "Items per page, 1 to 1000 (default 100)",
                schema = @Schema(type = "integer", minimum = "1", maximum = "1000"))
        @BindParam("per_page")
        @Min(value = 1, message = PER_PAGE_RULE)
        @Max(value = PageRequest.MAX_PER_PAGE, message = PER_PAGE_RULE)
        Integer perPage) {

    public static final int DEFAULT_PER_PAGE = 100;
    public static final int MAX_PER_PAGE = 1000;

    private static final String PER_PAGE_RULE = "per_page must be an integer from 1 to " + MAX_PER_PAGE;

    public PageRequest {
        perPage = perPage == null ? DEFAULT_PER_PAGE : perPage;
    }

    /** The page asked for, 1 when none was. */
    public int number() {
        return page == null ? 1 : page;
    }

    public long offset() {
        return (long) (number() - 1) * perPage;
    }

    /** The 200 answer for one page of {@code total} items. */
    public <T> ResponseEntity<List<T>> respond(List<T> items, long total) {
        HttpHeaders headers = new HttpHeaders();
        headers.add("X-Total-Count", Long.toString(total));
        List<String> links = new ArrayList<>();
        int page = number();
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
}

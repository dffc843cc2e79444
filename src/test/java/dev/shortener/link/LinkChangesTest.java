package dev.shortener.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.util.AbstractMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinkChangesTest {

    private static final LocalDateTime T = LocalDateTime.of(2025, 6, 22, 20, 54, 35);
    private static final Link LINK = new Link(1, 7L, "WqxP6Kd", "https://example.com/a", "Guide", true, T, T, 1);

    @Test
    void eachChangedFieldIsReportedWithItsNewValueInApiOrder() {
        Link after = LINK.withActive(false).withTitle(null).withOriginalUrl("https://example.com/b");

        assertThat(Links.changedFields(LINK, after))
                .containsExactly(
                        entry("original_url", "https://example.com/b"),
                        entry("title", null),
                        entry("is_active", false));
    }

    @Test
    void aFieldSetToItsCurrentValueIsNotAChange() {
        Link same = LINK.withTitle("Guide").withActive(true).withOriginalUrl("https://example.com/a");

        assertThat(Links.changedFields(LINK, same)).isEmpty();
    }

    @Test
    void aTitleGivenToAnUntitledLinkIsAChange() {
        Link untitled = LINK.withTitle(null);

        assertThat(Links.changedFields(untitled, LINK)).containsExactly(entry("title", "Guide"));
    }

    /** Unlike {@link Map#entry}, allows a null value. */
    private static Map.Entry<String, Object> entry(String key, Object value) {
        return new AbstractMap.SimpleEntry<>(key, value);
    }
}

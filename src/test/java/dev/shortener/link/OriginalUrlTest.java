package dev.shortener.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The syntax of a target. Loopback, private and user-information targets are well-formed, and the
 * destination policy refuses them ({@link DestinationTest}).
 */
class OriginalUrlTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://example.com",
                "http://example.com/path/to?q=1&r=two#frag",
                "HTTPS://EXAMPLE.COM/UPPER",
                "https://seeded.app/gold/meadow/1",
                "https://my_host.example.com/underscore",
                "https://münchen.de/straße",
                "https://example.com/%20encoded",
            })
    void absoluteHttpAndHttpsUrlsWithAHostAreAccepted(String url) {
        assertThat(OriginalUrl.isValid(url)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "not-a-url",
                "javascript:alert(1)",
                "JavaScript://example.com/%0Aalert(1)",
                "ftp://example.com/file.txt",
                "mailto:someone@example.com",
                "data:text/html,hello",
                "http://",
                "https://",
                "http:///path-only",
                "http:example.com",
                "//example.com/no-scheme",
                "/relative/path",
                "http://exa mple.com",
                "https://example.com/a b",
                " https://example.com",
                "https://example.com ",
                "https://example.com/\ttab",
                "https://example.com/\nline",
                "http://:80/",
                "http://example.com:port/",
                "http://@/",
            })
    void anythingElseIsRefused(String url) {
        assertThat(OriginalUrl.isValid(url)).isFalse();
    }

    @Test
    void theLimitIsTwoThousandFortyEightCharacters() {
        String base = "https://example.com/";
        assertThat(OriginalUrl.isValid(base + "a".repeat(OriginalUrl.MAX_LENGTH - base.length())))
                .isTrue();
        assertThat(OriginalUrl.isValid(base + "a".repeat(OriginalUrl.MAX_LENGTH - base.length() + 1)))
                .isFalse();
    }

    @Test
    void aTargetIsAValueThatOnlyHoldsValidUrls() {
        assertThat(OriginalUrl.of("https://example.com/a b".replace(" ", "%20")).url())
                .isEqualTo("https://example.com/a%20b");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OriginalUrl.of("ftp://example.com/"))
                .withMessage(OriginalUrl.RULE);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OriginalUrl.of(" "))
                .withMessage("must not be blank");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OriginalUrl.of("https://example.com/" + "a".repeat(OriginalUrl.MAX_LENGTH)))
                .withMessage("size must be between 0 and " + OriginalUrl.MAX_LENGTH);
    }
}

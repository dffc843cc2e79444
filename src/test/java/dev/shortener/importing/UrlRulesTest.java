package dev.shortener.importing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"https://example.com", "http://a.example/x?y=1#z", "HTTPS://EXAMPLE.COM/p"})
    void absoluteWebUrlsWithAHostAreAccepted(String url) {
        assertThat(UrlRules.originalUrlProblem(url)).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "not-a-url",
                "javascript:alert(1)",
                "ftp://example.com/f",
                "https://",
                "/relative",
                "http://exa mple.com"
            })
    void anythingElseIsRefused(String url) {
        assertThat(UrlRules.originalUrlProblem(url)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "WqxP6K", "my-code_1", "x23456789012345678901234567890ab"})
    void shortCodesOf3To32SafeCharactersAreAccepted(String code) {
        assertThat(UrlRules.shortCodeProblem(code)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "x234567890123456789012345678901ab", "a.b", "a/b", "health", "Users", "docs"})
    void otherShortCodesAndRouteNamesAreRefused(String code) {
        assertThat(UrlRules.shortCodeProblem(code)).isNotNull();
    }
}

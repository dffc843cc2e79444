package dev.shortener.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShortCodeTest {

    @Test
    void generatedCodesAreSevenBase62CharactersByDefault() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(ShortCode.random(ShortCode.DEFAULT_LENGTH)).matches("[0-9A-Za-z]{7}");
        }
    }

    @Test
    void generatedCodesHaveTheRequestedLength() {
        assertThat(ShortCode.random(12)).hasSize(12);
    }

    @Test
    void generationDrawsFromAllSixtyTwoSymbols() {
        SplittableRandom random = new SplittableRandom(42);
        Set<Character> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            for (char c : ShortCode.random(random, 7).toCharArray()) {
                seen.add(c);
            }
        }
        assertThat(seen).hasSize(62);
    }

    @Test
    void tenThousandGeneratedCodesAreAllDifferent() {
        Set<String> codes = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            codes.add(ShortCode.random(ShortCode.DEFAULT_LENGTH));
        }
        assertThat(codes).hasSize(10_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "my_link-1", "A1b2C3d", "___", "abcdefghijklmnopqrstuvwxyz012345", "healthy"})
    void aClientMayChooseCodesOfThreeToThirtyTwoSafeCharacters(String code) {
        assertThat(ShortCode.problemWith(code)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "ab",
                "abcdefghijklmnopqrstuvwxyz0123456",
                "has space",
                "a.b",
                "a/b",
                "a?b",
                "über",
                "abc%20",
            })
    void malformedCodesAreRefused(String code) {
        assertThat(ShortCode.problemWith(code))
                .hasValueSatisfying(m -> assertThat(m).contains("characters"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "health",
                "users",
                "URLS",
                "Events",
                "docs",
                "metrics",
                "imports",
                "swagger-ui",
                "error",
                "actuator",
                "api-keys",
                "Auth"
            })
    void codesThatNameARouteAreReservedIgnoringCase(String code) {
        assertThat(ShortCode.isReserved(code)).isTrue();
        assertThat(ShortCode.problemWith(code))
                .hasValueSatisfying(m -> assertThat(m).contains("reserved"));
    }

    @Test
    void routeNamesWithDotsAreReservedToo() {
        assertThat(ShortCode.isReserved("openapi.json")).isTrue();
        assertThat(ShortCode.isReserved("favicon.ico")).isTrue();
        assertThat(ShortCode.isReserved("Robots.txt")).isTrue();
    }

    @Test
    void claimingRetriesTakenCodesUntilOneIsFree() {
        Set<String> taken = Set.of("aaaaaaa", "bbbbbbb");
        Iterator<String> candidates = List.of("aaaaaaa", "bbbbbbb", "ccccccc").iterator();
        List<String> tried = new ArrayList<>();

        Optional<String> claimed = ShortCode.claimFirstFree(candidates::next, 5, code -> {
            tried.add(code);
            return taken.contains(code) ? Optional.empty() : Optional.of(code);
        });

        assertThat(claimed).contains("ccccccc");
        assertThat(tried).containsExactly("aaaaaaa", "bbbbbbb", "ccccccc");
    }

    @Test
    void claimingGivesUpAfterTheAllowedAttempts() {
        List<String> tried = new ArrayList<>();

        Optional<String> claimed = ShortCode.claimFirstFree(() -> "sameold", 3, code -> {
            tried.add(code);
            return Optional.empty();
        });

        assertThat(claimed).isEmpty();
        assertThat(tried).hasSize(3);
    }

    @Test
    void claimingNeverOffersAReservedCode() {
        Iterator<String> candidates = List.of("imports", "Metrics", "x1y2z3w").iterator();
        List<String> tried = new ArrayList<>();

        Optional<String> claimed = ShortCode.claimFirstFree(candidates::next, 3, code -> {
            tried.add(code);
            return Optional.of(code);
        });

        assertThat(claimed).contains("x1y2z3w");
        assertThat(tried).containsExactly("x1y2z3w");
    }

    @ParameterizedTest(name = "{0} is a well-formed code")
    @ValueSource(strings = {"a", "ab", "Ab3_-z", "WqxP6Kd", "abcdefghijklmnopqrstuvwxyz012345"})
    void wellFormedCodesIncludeShortOnesThatAClientMayNotChoose(String code) {
        assertThat(ShortCode.isWellFormed(code)).isTrue();
    }

    @ParameterizedTest(name = "\"{0}\" is not a code")
    @ValueSource(strings = {"", "favicon.ico", "a b", "ü", "abcdefghijklmnopqrstuvwxyz0123456", "a/b", "a%20"})
    void malformedCodes(String code) {
        assertThat(ShortCode.isWellFormed(code)).isFalse();
    }

    @Test
    void aChosenCodeIsAValueThatNamesWhyItIsRefused() {
        assertThat(ShortCode.chosen("my-code")).isEqualTo(new ShortCode("my-code"));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ShortCode.chosen("Health"))
                .withMessage("is reserved: it names a route of the service");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ShortCode.chosen("ab"))
                .withMessageStartingWith("must be 3 to 32 characters");
        // a stored code may be shorter than a chosen one, never malformed
        assertThat(new ShortCode("ab").code()).isEqualTo("ab");
        assertThatIllegalArgumentException().isThrownBy(() -> new ShortCode("a/b"));
    }
}

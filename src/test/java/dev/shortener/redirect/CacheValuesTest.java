package dev.shortener.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure parts of the hot path: Redis values, code shapes, the circuit. */
class CacheValuesTest {

    @Test
    void aLocationIsSentAsAsciiWithAnythingBeyondPercentEncodedAsUtf8() {
        String ascii = "https://example.com/a?b=c%20d#e";
        assertThat(Redirector.location(ascii)).isSameAs(ascii);
        assertThat(Redirector.location("https://bücher.example/ö")).isEqualTo("https://b%C3%BCcher.example/%C3%B6");
        assertThat(Redirector.location("https://example.com/😀")).isEqualTo("https://example.com/%F0%9F%98%80");
    }

    @Test
    void linksSurviveTheRoundTripThroughTheirRedisValue() {
        CachedLink active = new CachedLink(42, 7L, "https://example.com/a|b?c=1", true);
        CachedLink inactive = new CachedLink(43, null, "https://example.com/", false);

        assertThat(CachedLink.decode(active.encode())).isEqualTo(active);
        assertThat(CachedLink.decode(inactive.encode())).isEqualTo(inactive);
        assertThat(inactive.encode()).isEqualTo("I|43||https://example.com/");
        assertThat(CachedLink.decode(CachedLink.ABSENT.encode())).isSameAs(CachedLink.ABSENT);
    }

    @ParameterizedTest(name = "\"{0}\" is read as a cache miss")
    @ValueSource(strings = {"", "X|1||u", "A|x||u", "A|1|", "A1||u", "garbage"})
    void foreignOrDamagedValuesAreMisses(String value) {
        assertThat(CachedLink.decode(value)).isNull();
    }

    @ParameterizedTest(name = "{0} is a well-formed code")
    @ValueSource(strings = {"a", "Ab3_-z", "WqxP6Kd", "abcdefghijklmnopqrstuvwxyz012345"})
    void wellFormedCodes(String code) {
        assertThat(ShortCodes.isWellFormed(code)).isTrue();
    }

    @ParameterizedTest(name = "\"{0}\" is not a code")
    @ValueSource(strings = {"", "favicon.ico", "a b", "ü", "abcdefghijklmnopqrstuvwxyz0123456", "a/b", "a%20"})
    void malformedCodes(String code) {
        assertThat(ShortCodes.isWellFormed(code)).isFalse();
    }

    @Test
    void theCircuitOpensAfterConsecutiveFailuresOnlyAndClosesOnceAfterAProbe() {
        RedisCircuit circuit = new RedisCircuit(3);

        assertThat(circuit.failure()).isFalse();
        assertThat(circuit.failure()).isFalse();
        circuit.success();
        assertThat(circuit.failure()).isFalse();
        assertThat(circuit.failure()).isFalse();
        assertThat(circuit.isOpen()).isFalse();
        assertThat(circuit.failure()).as("the third failure in a row opens it").isTrue();
        assertThat(circuit.failure()).as("already open").isFalse();
        assertThat(circuit.isOpen()).isTrue();

        assertThat(circuit.close()).isTrue();
        assertThat(circuit.isOpen()).isFalse();
        assertThat(circuit.close()).isFalse();
    }
}

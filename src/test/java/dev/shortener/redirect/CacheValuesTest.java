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
        CachedLink active = CachedLink.of(42, 7L, "https://example.com/a|b?c=1", true, false, 9);
        CachedLink inactive = CachedLink.of(43, null, "https://example.com/", false, false, 10);
        CachedLink blocked = CachedLink.of(44, 7L, "https://example.com/b", true, true, 11);

        assertThat(CachedLink.decode(active.encode())).isEqualTo(active);
        assertThat(CachedLink.decode(inactive.encode())).isEqualTo(inactive);
        assertThat(CachedLink.decode(blocked.encode())).isEqualTo(blocked);
        assertThat(inactive.encode()).isEqualTo("10|I|43||https://example.com/");
        assertThat(CachedLink.decode(CachedLink.ABSENT.encode())).isSameAs(CachedLink.ABSENT);
        assertThat(CachedLink.decode("12|-")).isEqualTo(CachedLink.absent(12));
    }

    @ParameterizedTest(name = "\"{0}\" is read as a cache miss")
    @ValueSource(strings = {"", "1|X|1||u", "1|A|x||u", "1|A|1|", "1|A1||u", "garbage", "A|1||u", "5|~", "x|-", "1|-x"})
    void foreignOrDamagedValuesAreMisses(String value) {
        assertThat(CachedLink.decode(value)).isNull();
    }

    @Test
    void aCodesStatesAreOrderedByVersionThenAbsenceAfterTheLinkAfterTheMark() {
        CachedLink.Version mark = new CachedLink.Version(5, CachedLink.Version.STALE);
        CachedLink.Version link =
                CachedLink.of(1, null, "https://example.com/", true, false, 5).order();
        CachedLink.Version deleted = CachedLink.absent(5).order();
        CachedLink.Version older = CachedLink.absent(4).order();

        assertThat(link.after(mark)).isTrue();
        assertThat(deleted.after(link)).isTrue();
        assertThat(mark.after(older)).isTrue();
        assertThat(link.after(link)).isFalse();
    }

    @Test
    void changesTravelAsMessagesAndAnOlderReleasesBareCodeIsKnownAsSuch() {
        LinkChange deleted = LinkChange.deleted("abc", 17, 1_700_000_000_000L);

        assertThat(LinkChange.parse(deleted.message(), 0)).isEqualTo(deleted);
        assertThat(deleted.value()).isEqualTo("17|-");
        assertThat(LinkChange.changed("abc", 18, 0).value()).isEqualTo("18|~");
        assertThat(LinkChange.parse("abc", 5).fromOlderRelease()).isTrue();
        assertThat(deleted.fromOlderRelease()).isFalse();
        assertThat(LinkChange.parse("", 0)).isNull();
        assertThat(LinkChange.parse("~b5e1:12", 0)).as("a heartbeat").isNull();
        assertThat(LinkChange.parse("abc|x|0|1", 0)).isNull();
        assertThat(LinkChange.parse("abc|1|1|1", 0))
                .as("a message never carries a link")
                .isNull();
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

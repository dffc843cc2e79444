package dev.shortener.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties of the destination policy's address parser, over generated addresses and names. */
class DestinationPropertiesTest {

    /** Every way a browser lets one write the IPv4 address a.b.c.d. */
    private static List<String> spellings(int a, int b, int c, int d) {
        long value = ((long) a << 24) | ((long) b << 16) | ((long) c << 8) | d;
        return List.of(
                a + "." + b + "." + c + "." + d,
                Long.toString(value),
                "0x" + Long.toHexString(value),
                octal(a) + "." + octal(b) + "." + octal(c) + "." + octal(d),
                "0x" + Integer.toHexString(a) + ".0x" + Integer.toHexString(b) + ".0x" + Integer.toHexString(c) + ".0x"
                        + Integer.toHexString(d),
                a + "." + b + "." + ((c << 8) | d),
                a + "." + ((b << 16) | (c << 8) | d),
                a + "." + b + "." + c + "." + d + ".",
                "[::ffff:" + a + "." + b + "." + c + "." + d + "]");
    }

    private static String octal(int part) {
        return "0" + Integer.toOctalString(part);
    }

    @Property(tries = 2000)
    void everySpellingOfAnAddressIsThatAddressAndJudgedAlike(
            @ForAll @IntRange(max = 255) int a,
            @ForAll @IntRange(max = 255) int b,
            @ForAll @IntRange(max = 255) int c,
            @ForAll @IntRange(max = 255) int d)
            throws UnknownHostException {
        InetAddress address = InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        boolean forbidden = IpLiterals.forbiddenRange(address) != null;

        for (String spelling : spellings(a, b, c, d)) {
            String host = spelling.endsWith(".") ? spelling.substring(0, spelling.length() - 1) : spelling;
            assertThat(IpLiterals.parse(host)).as(spelling).contains(new IpLiterals.Address(address));
            Destination.Verdict verdict = Destination.judge("http://" + spelling + "/x", Set.of(), domain -> false);
            assertThat(verdict.accepted())
                    .as("%s (%s) accepted", spelling, address)
                    .isEqualTo(!forbidden);
        }
    }

    @Property(tries = 500)
    void privateRangesAreRefusedWhateverTheLastBytes(
            @ForAll("privatePrefixes") int[] prefix,
            @ForAll @IntRange(max = 255) int c,
            @ForAll @IntRange(max = 255) int d) {
        for (String spelling : spellings(prefix[0], prefix[1], c, d)) {
            assertThat(Destination.judge("https://" + spelling + "/", Set.of(), domain -> false)
                            .rule())
                    .as(spelling)
                    .isEqualTo("private-address");
        }
    }

    @Provide
    Arbitrary<int[]> privatePrefixes() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, 255).map(b -> new int[] {10, b}),
                Arbitraries.integers().between(0, 255).map(b -> new int[] {127, b}),
                Arbitraries.integers().between(16, 31).map(b -> new int[] {172, b}),
                Arbitraries.just(new int[] {192, 168}),
                Arbitraries.just(new int[] {169, 254}),
                Arbitraries.integers().between(64, 127).map(b -> new int[] {100, b}),
                Arbitraries.integers().between(224, 255).map(a -> new int[] {a, 0}));
    }

    @Property(tries = 1000)
    void publicNamesAreKeptAsWritten(@ForAll("publicHosts") String host) {
        String url = "https://" + host + "/path?q=1";
        Destination.Verdict verdict = Destination.judge(url, Set.of(), domain -> false);

        assertThat(verdict.accepted()).as("%s: %s", url, verdict.reason()).isTrue();
        assertThat(verdict.url()).isEqualTo(url);
    }

    @Provide
    Arbitrary<String> publicHosts() {
        Arbitrary<String> label = Arbitraries.strings()
                .withCharRange('a', 'z')
                .numeric()
                .withChars('-')
                .ofMinLength(1)
                .ofMaxLength(20)
                .filter(text -> !text.startsWith("-") && !text.endsWith("-") && !text.startsWith("xn--"));
        Arbitrary<String> topLevel = Arbitraries.of("com", "org", "net", "io", "de", "app", "dev", "co.uk");
        return Combinators.combine(label.list().ofMinSize(1).ofMaxSize(3), topLevel)
                .as((labels, tld) -> String.join(".", labels) + "." + tld);
    }

    @Property(tries = 3000)
    void anyTextGetsAVerdictNeverAnException(@ForAll String text) {
        for (String url : List.of(text, "http://" + text, "https://" + text + "/", "http://[" + text + "]/")) {
            Destination.Verdict verdict = Destination.judge(url, Set.of(), domain -> false);
            assertThat(verdict.accepted() ? verdict.url() : verdict.rule()).isNotNull();
        }
    }
}

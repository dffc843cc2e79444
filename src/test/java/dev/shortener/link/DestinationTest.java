package dev.shortener.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.IDN;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The destination policy's corpus: hostile targets refused, legitimate ones kept. */
class DestinationTest {

    private static final Destinations POLICY = Destinations.of(
            Set.of("sho.rt", "links.example.org"),
            host -> host.equals("phish.example") || host.endsWith(".phish.example"));

    static Stream<String> hostile() {
        return Stream.of(
                // loopback, in every spelling browsers accept
                "http://127.0.0.1/",
                "http://127.0.0.1:8080/admin",
                "http://127.1/",
                "http://127.0.1/",
                "http://2130706433/",
                "http://0x7f000001/",
                "http://0x7f.0x0.0x0.0x1/",
                "http://0177.0.0.1/",
                "http://0177.0000.0000.0001/",
                "http://017700000001/",
                "http://127.000.000.001/",
                "http://127.0.0.1./",
                "http://127.255.255.254/",
                "http://0x7f.1/",
                "http://[::1]/",
                "http://[0:0:0:0:0:0:0:1]/",
                "http://[::ffff:127.0.0.1]/",
                "http://[::ffff:7f00:1]/",
                "http://[0:0:0:0:0:ffff:127.0.0.1]/",
                "http://[::127.0.0.1]/",
                "http://%31%32%37.0.0.1/",
                // cloud metadata
                "http://169.254.169.254/latest/meta-data/",
                "http://169.254.169.254./",
                "http://2852039166/",
                "http://0xa9fea9fe/",
                "http://0251.0376.0251.0376/",
                "http://[::ffff:169.254.169.254]/",
                "http://[fd00:ec2::254]/",
                "http://169.254.0.1/",
                "http://100.100.100.200/",
                "http://metadata.google.internal/computeMetadata/v1/",
                "http://metadata/",
                // private networks
                "http://10.0.0.1/",
                "http://10.255.255.255/",
                "http://167772161/",
                "http://012.0.0.1/",
                "http://0xa.0.0.1/",
                "http://172.16.0.1/",
                "http://172.31.255.254/",
                "http://192.168.0.1/",
                "http://192.168.1.1:8443/router",
                "http://3232235777/",
                "http://0xc0a80101/",
                "http://0300.0250.0001.0001/",
                "http://192.168.1/",
                "http://[::ffff:10.0.0.1]/",
                "http://[::ffff:192.168.0.1]/",
                "http://[fc00::1]/",
                "http://[fd12:3456:789a::1]/",
                "http://100.64.0.1/",
                "http://100.127.255.254/",
                // link-local, multicast, unspecified, reserved, tunnels
                "http://[fe80::1]/",
                "http://[fe80::1%25eth0]/",
                "http://224.0.0.1/",
                "http://239.255.255.250/",
                "http://[ff02::1]/",
                "http://[ff05::2]/",
                "http://0.0.0.0/",
                "http://0/",
                "http://0x0/",
                "http://[::]/",
                "http://240.0.0.1/",
                "http://255.255.255.255/",
                "http://192.0.0.1/",
                "http://198.18.0.1/",
                "http://[64:ff9b::7f00:1]/",
                "http://[2002:7f00:1::]/",
                "http://[2002:a9fe:a9fe::]/",
                "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
                "http://[2001:db8::1]/",
                // names that resolve only on a machine or inside a network
                "http://localhost/",
                "http://localhost:8080/",
                "http://LOCALHOST/",
                "http://localhost./",
                "http://localhost../",
                "http://app.localhost/",
                "http://localhost.localdomain/",
                "http://printer.local/",
                "http://router.lan/",
                "http://nas.home.arpa/",
                "http://db.internal/",
                "http://1.0.0.127.in-addr.arpa/",
                "http://intranet/",
                "http://ip6-localhost/",
                "http://%6c%6f%63%61%6c%68%6f%73%74/",
                // user information
                "http://user:pass@example.com/",
                "https://user@example.com/",
                "http://example.com@evil.com/",
                "http://evil.com:80@example.com/",
                "https://:@example.com/",
                "http://admin:admin@192.168.0.1/",
                "http://127.0.0.1%2f@example.com/",
                // schemes and malformed hosts
                "javascript:alert(1)",
                "data:text/html,<script>alert(1)</script>",
                "file:///etc/passwd",
                "ftp://example.com/",
                "gopher://127.0.0.1:6379/_INFO",
                "dict://127.0.0.1:11211/",
                "ldap://example.com/",
                "vbscript:msgbox(1)",
                "http://999.999.999.999/",
                "http://1.2.3.4.5/",
                "http://08.0.0.1/",
                "http://example.0x/",
                "http://256.0.0.1/",
                "http://%zz.example.com/",
                // look-alikes: labels mixing scripts
                "https://\u0430pple.com/",
                "https://p\u0430ypal.com/",
                "https://g\u043e\u043egle.com/",
                "https://micr\u03bfsoft.com/",
                "https://" + IDN.toASCII("\u0430pple.com") + "/",
                "https://" + IDN.toASCII("p\u0430ypal.com") + "/login",
                // the service itself, the blocklist
                "https://sho.rt/abc1234",
                "https://SHO.RT./abc1234",
                "https://links.example.org/x",
                "https://phish.example/login",
                "https://login.phish.example/",
                "https://PHISH.example./");
    }

    static Stream<String> legitimate() {
        return Stream.of(
                "https://example.com",
                "http://example.com/path?q=1#frag",
                "HTTPS://EXAMPLE.COM/UPPER",
                "https://seeded.app/gold/meadow/1",
                "https://example.com:8443/port",
                "http://example.com:80/",
                "https://sub.domain.example.co.uk/a/b",
                "https://my_host.example.com/underscore",
                "https://example.com/%20encoded",
                "https://example.com/?q=a%26b",
                "https://93.184.216.34/",
                "http://8.8.8.8/",
                "https://1.1.1.1/dns-query",
                "http://[2606:4700:4700::1111]/",
                "https://[2001:4860:4860::8888]:443/",
                "https://example.com./",
                "https://a.b.c.d.example.com/",
                "https://example.com/#/spa/route",
                "https://news.ycombinator.com/item?id=1",
                "https://en.wikipedia.org/wiki/URL_shortening",
                "https://github.com/spring-projects/spring-boot/issues?q=is%3Aopen",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
                "https://docs.google.com/document/d/abc/edit",
                "https://maps.google.com/?q=48.8584,2.2945",
                "https://example.com/a;b=c",
                "https://example.com/~user/",
                "https://example.com/path/with-dash_and.dot",
                "https://xn--bcher-kva.example/",
                "https://xn--mnchen-3ya.de/",
                "https://example.museum/",
                "https://localhost.example.com/",
                "https://local.example.com/",
                "https://internal.example.com/",
                "https://my-localhost-blog.com/",
                "https://10.example.com/",
                "https://127.example.com/",
                "https://0x7f.example.com/",
                "https://example.com:65535/",
                "https://a-b.example.org/path?x=y&z=%E2%9C%93",
                "https://example.com/%E2%9C%93",
                "https://ya.ru/",
                "https://baidu.com/s?wd=x",
                "https://t.co/abc",
                "https://bit.ly/abc",
                "https://172.15.0.1/",
                "https://172.32.0.1/",
                "https://100.63.255.255/",
                "https://100.128.0.1/",
                "https://192.169.0.1/",
                "https://169.253.0.1/",
                "https://11.0.0.1/",
                "https://notphish.example/",
                "https://sho.rt.example.com/",
                // internationalized names, kept as punycode
                "https://m\u00fcnchen.de/stra\u00dfe",
                "https://b\u00fccher.example/",
                "https://\u4f8b\u3048.jp/",
                "https://\u65e5\u672c\u8a9e.jp/",
                "https://\u4e2d\u6587.cn/",
                "https://\ud55c\uad6d\uc5b4.kr/",
                "https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/",
                "https://\u03c0\u03b1\u03c1\u03ac\u03b4\u03b5\u03b9\u03b3\u03bc\u03b1.\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae/");
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void hostileTargetsAreRefusedNamingTheRule(String url) {
        Destination.Verdict verdict = POLICY.judge(url);

        assertThat(verdict.accepted()).as("%s is refused", url).isFalse();
        assertThat(verdict.message()).contains("(" + verdict.rule() + ")");
    }

    @ParameterizedTest
    @MethodSource("legitimate")
    void legitimateTargetsAreKept(String url) {
        Destination.Verdict verdict = POLICY.judge(url);

        assertThat(verdict.accepted())
                .as("%s is accepted: %s", url, verdict.reason())
                .isTrue();
        String stored = verdict.url();
        String authority = stored.substring(stored.indexOf("://") + 3).replaceFirst("[/?#].*", "");
        assertThat(authority).as("the host of %s is kept in ASCII", url).matches("\\p{ASCII}+");
    }

    @Test
    void theCorpusIsLargeEnough() {
        assertThat(hostile().count()).isGreaterThanOrEqualTo(100);
        assertThat(legitimate().count()).isGreaterThanOrEqualTo(50);
    }

    @Test
    void internationalNamesAreStoredAsPunycodeAndTheRestAsWritten() {
        assertThat(POLICY.judge("https://m\u00fcnchen.de/stra\u00dfe?x=1").url())
                .isEqualTo("https://xn--mnchen-3ya.de/stra\u00dfe?x=1");
        assertThat(POLICY.judge("https://b\u00fccher.example:8443").url())
                .isEqualTo("https://xn--bcher-kva.example:8443");
        assertThat(POLICY.judge("HTTPS://EXAMPLE.COM/UPPER").url()).isEqualTo("HTTPS://EXAMPLE.COM/UPPER");
    }

    @Test
    void eachRefusalNamesItsRule() {
        assertThat(POLICY.judge("http://10.0.0.1/").rule()).isEqualTo("private-address");
        assertThat(POLICY.judge("http://localhost/").rule()).isEqualTo("local-name");
        assertThat(POLICY.judge("http://a:b@example.com/").rule()).isEqualTo("userinfo");
        assertThat(POLICY.judge("https://p\u0430ypal.com/").rule()).isEqualTo("mixed-script");
        assertThat(POLICY.judge("https://sho.rt/x").rule()).isEqualTo("own-host");
        assertThat(POLICY.judge("https://a.phish.example/").rule()).isEqualTo("blocked-domain");
        assertThat(POLICY.judge("ftp://example.com/").rule()).isEqualTo("syntax");
    }
}

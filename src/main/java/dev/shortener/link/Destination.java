package dev.shortener.link;

import java.io.ByteArrayOutputStream;
import java.net.IDN;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The destination policy: which targets a link may have, judged on the URL text alone (no DNS
 * lookup when a link is saved). A target must be an http or https URL without user information
 * whose host is a public name or a public address: no loopback, private, link-local, CGNAT,
 * multicast, unspecified or metadata address in any spelling, no name that only resolves inside a
 * network, no label mixing scripts (look-alikes of other names), not the service itself, and not
 * on the blocklist. Internationalized names are kept as punycode.
 */
public final class Destination {

    /** Names that only resolve on the machine or inside a network, as suffixes. */
    private static final List<String> LOCAL_SUFFIXES =
            List.of(".localhost", ".local", ".localdomain", ".internal", ".home.arpa", ".arpa", ".lan");

    private static final Set<String> LOCAL_NAMES =
            Set.of("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "broadcasthost");

    /** Scripts that one label may mix: Japanese, Chinese and Korean writing with Latin (UTS #39). */
    private static final List<Set<Character.UnicodeScript>> MIXES_ALLOWED = List.of(
            EnumSet.of(
                    Character.UnicodeScript.LATIN,
                    Character.UnicodeScript.HAN,
                    Character.UnicodeScript.HIRAGANA,
                    Character.UnicodeScript.KATAKANA),
            EnumSet.of(Character.UnicodeScript.LATIN, Character.UnicodeScript.HAN, Character.UnicodeScript.BOPOMOFO),
            EnumSet.of(Character.UnicodeScript.LATIN, Character.UnicodeScript.HAN, Character.UnicodeScript.HANGUL));

    private Destination() {}

    /** The policy's answer: the URL to store, or the rule that refuses it and why. */
    public record Verdict(
            @Nullable String url,
            @Nullable String rule,
            @Nullable String reason) {

        static Verdict accept(String url) {
            return new Verdict(url, null, null);
        }

        static Verdict refuse(String rule, String reason) {
            return new Verdict(null, rule, reason);
        }

        public boolean accepted() {
            return url != null;
        }

        /** The refusal as a field message that names the rule. */
        public String message() {
            return "is refused by the destination policy (" + rule + "): " + reason;
        }
    }

    /**
     * Judges a target. {@code ownHosts} are the service's own host names (lower case, ASCII);
     * {@code blocked} tells whether a host name (ASCII) is on the blocklist.
     */
    public static Verdict judge(String url, Set<String> ownHosts, Predicate<String> blocked) {
        if (!OriginalUrl.isValid(url)) {
            return Verdict.refuse("syntax", OriginalUrl.RULE);
        }
        int start = url.indexOf("://") + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String authority = url.substring(start, end);
        if (authority.indexOf('@') >= 0) {
            return Verdict.refuse("userinfo", "a user name or password in a link is a phishing trick");
        }
        int portAt = authority.startsWith("[") ? authority.indexOf("]:") + 1 : authority.lastIndexOf(':');
        String rawHost = portAt > 0 ? authority.substring(0, portAt) : authority;
        String port = portAt > 0 ? authority.substring(portAt) : "";
        Optional<String> decoded = percentDecoded(rawHost);
        if (decoded.isEmpty()) {
            return Verdict.refuse("syntax", "the host is not valid percent-encoded UTF-8");
        }
        String host = stripTrailingDots(decoded.get().toLowerCase(Locale.ROOT));
        if (host.isEmpty() || host.contains("..")) {
            return Verdict.refuse("syntax", "the host has an empty label");
        }
        Optional<IpLiterals.Parsed> literal = IpLiterals.parse(host);
        if (literal.isPresent()) {
            return switch (literal.get()) {
                case IpLiterals.Malformed malformed -> Verdict.refuse("syntax", "the host is " + malformed.reason());
                case IpLiterals.Address address -> judgeAddress(url, address.address());
            };
        }
        String ascii;
        try {
            ascii = stripTrailingDots(IDN.toASCII(host).toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Verdict.refuse("syntax", "the host is not a valid internationalized name");
        }
        Verdict name = judgeName(ascii, ownHosts, blocked);
        if (name != null) {
            return name;
        }
        boolean rewrite = !ascii.equals(rawHost) && !rawHost.chars().allMatch(c -> c < 0x80);
        String kept = rewrite ? url.substring(0, start) + ascii + port + url.substring(end) : url;
        // the URL passed the rule above; only its ASCII form, which is longer, is checked again
        return !rewrite || OriginalUrl.isValid(kept)
                ? Verdict.accept(kept)
                : Verdict.refuse("syntax", OriginalUrl.RULE);
    }

    private static Verdict judgeAddress(String url, InetAddress address) {
        String range = IpLiterals.forbiddenRange(address);
        return range == null
                ? Verdict.accept(url)
                : Verdict.refuse("private-address", "the host is a " + range + " address");
    }

    private static @Nullable Verdict judgeName(String ascii, Set<String> ownHosts, Predicate<String> blocked) {
        if (LOCAL_NAMES.contains(ascii) || LOCAL_SUFFIXES.stream().anyMatch(ascii::endsWith)) {
            return Verdict.refuse("local-name", "the host " + ascii + " only resolves inside a network");
        }
        if (ascii.indexOf('.') < 0) {
            return Verdict.refuse("local-name", "a single-label host (" + ascii + ") only resolves inside a network");
        }
        for (String label : ascii.split("\\.")) {
            if (!label.matches("[a-z0-9_-]+")) {
                return Verdict.refuse("syntax", "the host has a label with characters a name may not have");
            }
            String unicode = label.startsWith("xn--") ? IDN.toUnicode(label) : label;
            if (unicode.equals(label) && label.startsWith("xn--")) {
                return Verdict.refuse("syntax", "the host has a label that is not valid punycode");
            }
            if (mixesScripts(unicode)) {
                return Verdict.refuse(
                        "mixed-script", "the label " + unicode + " mixes scripts, as names that imitate others do");
            }
        }
        if (ownHosts.contains(ascii)) {
            return Verdict.refuse("own-host", "a link to this service itself would redirect in a loop");
        }
        if (blocked.test(ascii)) {
            return Verdict.refuse("blocked-domain", "the domain " + ascii + " is on the blocklist");
        }
        return null;
    }

    /** Whether a label's letters come from scripts that no single writing system combines. */
    static boolean mixesScripts(String label) {
        EnumSet<Character.UnicodeScript> scripts = EnumSet.noneOf(Character.UnicodeScript.class);
        label.codePoints()
                .mapToObj(Character.UnicodeScript::of)
                .filter(script ->
                        script != Character.UnicodeScript.COMMON && script != Character.UnicodeScript.INHERITED)
                .forEach(scripts::add);
        return scripts.size() > 1 && MIXES_ALLOWED.stream().noneMatch(allowed -> allowed.containsAll(scripts));
    }

    private static String stripTrailingDots(String host) {
        int end = host.length();
        while (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        return host.substring(0, end);
    }

    /** The host with its %XX escapes decoded as UTF-8 (browsers decode them before resolving). */
    private static Optional<String> percentDecoded(String host) {
        if (host.indexOf('%') < 0) {
            return Optional.of(host);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '%') {
                if (i + 2 >= host.length()) {
                    return Optional.empty();
                }
                try {
                    bytes.write(HexFormat.fromHexDigits(host, i + 1, i + 3));
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}

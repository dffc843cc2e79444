package dev.shortener.link;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Host names that are IP addresses, in every spelling a browser accepts, and the ranges a link
 * may not point into. IPv4 is read as browsers read it (the WHATWG URL standard, after {@code
 * inet_aton}): one to four parts, each decimal, octal ({@code 0177}) or hexadecimal ({@code 0x7f}),
 * the last filling the remaining bytes, so {@code 2130706433}, {@code 0x7f.1} and {@code 127.1} are
 * all {@code 127.0.0.1}. Nothing here asks DNS.
 */
final class IpLiterals {

    private IpLiterals() {}

    /** A parsed address, or why the host looked like one and is not. */
    sealed interface Parsed {}

    record Address(InetAddress address) implements Parsed {}

    record Malformed(String reason) implements Parsed {}

    /**
     * The address of a host that is an IP literal ({@code [v6]}, or a name whose last label is a
     * number), empty for a host name.
     */
    static Optional<Parsed> parse(String host) {
        if (host.startsWith("[")) {
            return Optional.of(ipv6(host));
        }
        String[] parts = host.split("\\.", -1);
        if (!numeric(parts[parts.length - 1])) {
            return Optional.empty();
        }
        return Optional.of(ipv4(parts));
    }

    private static Parsed ipv6(String bracketed) {
        if (!bracketed.endsWith("]") || bracketed.indexOf('%') >= 0) {
            return new Malformed("an IPv6 literal with a zone or without its closing bracket");
        }
        String literal = bracketed.substring(1, bracketed.length() - 1);
        if (literal.isEmpty() || !literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return new Malformed("not an IPv6 address");
        }
        try {
            // bracketed, InetAddress only parses: a bad literal is an exception, never a lookup
            return new Address(InetAddress.getByName(bracketed));
        } catch (UnknownHostException e) {
            return new Malformed("not an IPv6 address");
        }
    }

    private static Parsed ipv4(String[] parts) {
        if (parts.length > 4) {
            return new Malformed("an IPv4 address has at most four parts");
        }
        long value = 0;
        for (int i = 0; i < parts.length; i++) {
            Long part = number(parts[i]);
            boolean last = i == parts.length - 1;
            long limit = last ? 1L << (8 * (5 - parts.length)) : 256;
            if (part == null || part >= limit) {
                return new Malformed("not an IPv4 address");
            }
            value = last ? (value << (8 * (5 - parts.length))) | part : (value << 8) | part;
        }
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return new Address(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }

    /** A label that makes the host an IPv4 address when it comes last: digits, or 0x and hex digits. */
    private static boolean numeric(String label) {
        return label.matches("[0-9]+") || label.toLowerCase(Locale.ROOT).matches("0x[0-9a-f]*");
    }

    /** A decimal, octal (leading 0) or hexadecimal (0x) part; null when it is none of them. */
    private static @Nullable Long number(String part) {
        String text = part.toLowerCase(Locale.ROOT);
        int radix = 10;
        if (text.startsWith("0x")) {
            text = text.substring(2);
            radix = 16;
        } else if (text.length() > 1 && text.startsWith("0")) {
            text = text.substring(1);
            radix = 8;
        }
        if (text.isEmpty()) {
            return radix == 16 ? 0L : null;
        }
        if (text.length() > 12) {
            return null; // beyond any part's range, and beyond a long's for radix 16
        }
        try {
            return Long.parseLong(text, radix);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The name of the range a link may not point into, or null for a public unicast address. */
    static @Nullable String forbiddenRange(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return ipv4Range(b, 0);
        }
        if (!(address instanceof Inet6Address)) {
            return "unknown";
        }
        int first = b[0] & 0xff;
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        if (address.isLinkLocalAddress() || address.isSiteLocalAddress()) {
            return "link-local";
        }
        if ((first & 0xfe) == 0xfc) {
            return "private (unique local)";
        }
        if (first == 0x20 && (b[1] & 0xff) == 0x02) {
            // 6to4 carries an IPv4 address in bytes 2 to 5
            String inner = ipv4Range(b, 2);
            return inner != null ? inner + " (6to4)" : null;
        }
        if ((first & 0xe0) != 0x20) {
            return "not global unicast (IPv4-mapped, NAT64 or reserved)";
        }
        if (first == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
            return "Teredo";
        }
        if (first == 0x20 && b[1] == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
            return "documentation";
        }
        return null;
    }

    private static @Nullable String ipv4Range(byte[] b, int at) {
        int a = b[at] & 0xff;
        int second = b[at + 1] & 0xff;
        int third = b[at + 2] & 0xff;
        if (a == 0) {
            return "unspecified";
        }
        if (a == 127) {
            return "loopback";
        }
        if (a == 10 || (a == 172 && (second & 0xf0) == 16) || (a == 192 && second == 168)) {
            return "private";
        }
        if (a == 100 && (second & 0xc0) == 64) {
            return "shared (CGNAT)";
        }
        if (a == 169 && second == 254) {
            return "link-local (cloud metadata)";
        }
        if (a >= 224) {
            return a < 240 ? "multicast" : "reserved";
        }
        if ((a == 192 && second == 0 && (third == 0 || third == 2))
                || (a == 198 && (second & 0xfe) == 18)
                || (a == 198 && second == 51 && third == 100)
                || (a == 203 && second == 0 && third == 113)
                || (a == 192 && second == 88 && third == 99)) {
            return "reserved";
        }
        return null;
    }
}

package dev.shortener.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmailTest {

    @ParameterizedTest
    @ValueSource(strings = {"a@example.com", "first.last+tag@sub.example.co.uk", "x_y-z@relay.cloud", "UPPER@ACME.DEV"})
    void acceptsRealAddresses(String address) {
        assertThat(Email.isValid(address)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "plain",
                "@example.com",
                "a@",
                "a@b",
                "a b@example.com",
                "a@exa mple.com",
                "a..b@example.com",
                ".a@example.com",
                "a@-example.com",
                "a@example..com"
            })
    void refusesOthers(String address) {
        assertThat(Email.isValid(address)).isFalse();
    }

    /** The rule as it was first written, a regular expression: the scan must agree with it. */
    private static final Pattern REFERENCE =
            Pattern.compile("^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");

    private static boolean reference(String address) {
        return address.length() <= Email.MAX_LENGTH
                && REFERENCE.matcher(address).matches()
                && !address.startsWith(".")
                && !address.contains("..");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a@b.c",
                "a@b.c.",
                "a@b.c\n",
                "a@b-.c",
                "a@b.-c",
                "a@b.c-d",
                "a@1.2",
                "a.@b.c",
                "a@@b.c",
                "a@b@c.d",
                "é@b.c",
                "a@bé.c",
                "{|}~@b.c",
                "a\u0000@b.c"
            })
    void edgeCasesAgreeWithTheRegularExpression(String address) {
        assertThat(Email.isValid(address)).isEqualTo(reference(address));
    }

    @Test
    void limitsOfTheLocalPartLabelsAndLengthAgreeWithTheRegularExpression() {
        for (int local = 63; local <= 65; local++) {
            for (int label = 62; label <= 64; label++) {
                String address = "x".repeat(local) + "@" + "y".repeat(label) + ".com";
                assertThat(Email.isValid(address)).as(address).isEqualTo(reference(address));
            }
        }
        String label = "d".repeat(63);
        String longest = "a".repeat(58) + "@" + label + "." + label + "." + label + ".abc";
        assertThat(longest).hasSize(Email.MAX_LENGTH);
        assertThat(Email.isValid(longest)).isTrue();
        assertThat(Email.isValid(longest + "d")).isFalse();
    }

    @Test
    void randomAddressesAgreeWithTheRegularExpression() {
        Random random = new Random(7);
        String alphabet = "aZ09.-@_+ \n!é";
        int valid = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder address = new StringBuilder();
            int length = random.nextInt(12);
            for (int j = 0; j < length; j++) {
                address.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (random.nextBoolean()) {
                // most random strings lack an @ and a dot: make half of them look like addresses
                address.insert(random.nextInt(address.length() + 1), "a@b.");
            }
            String text = address.toString();
            boolean expected = reference(text);
            assertThat(Email.isValid(text)).as("'%s'", text).isEqualTo(expected);
            valid += expected ? 1 : 0;
        }
        assertThat(valid).isGreaterThan(1000);
    }

    @Test
    void anAddressIsAValueThatOnlyHoldsValidAddresses() {
        assertThat(Email.of("  ada@example.com ")).isEqualTo(new Email("ada@example.com"));
        assertThat(Email.of("ada@example.com")).hasToString("ada@example.com");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Email("plain"))
                .withMessage(Email.RULE);
        assertThatIllegalArgumentException().isThrownBy(() -> Email.of("   ")).withMessage("must not be blank");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Email.of("a".repeat(250) + "@x.io"))
                .withMessage("size must be between 0 and 254");
    }
}

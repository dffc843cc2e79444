package dev.shortener.user;

import static org.assertj.core.api.Assertions.assertThat;

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
}

package dev.shortener.user;

import java.util.regex.Pattern;

/** The e-mail address rule shared by the API and the importer. */
public final class Email {

    public static final int MAX_LENGTH = 254;

    private static final Pattern ADDRESS =
            Pattern.compile("^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");

    private Email() {}

    public static boolean isValid(String address) {
        return address.length() <= MAX_LENGTH
                && ADDRESS.matcher(address).matches()
                && !address.startsWith(".")
                && !address.contains("..");
    }
}

package dev.shortener.user;

import dev.shortener.identity.Caller;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.CredentialRecord;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRequestOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.management.ImmutableRelyingPartyRegistrationRequest;
import org.springframework.security.web.webauthn.management.RelyingPartyAuthenticationRequest;
import org.springframework.security.web.webauthn.management.RelyingPartyPublicKey;
import org.springframework.stereotype.Component;

/**
 * Passkeys of accounts, through Spring Security's WebAuthn relying party ({@link RelyingParty}:
 * verification by WebAuthn4J over its JDBC repositories), with user verification required. Each
 * ceremony is two requests; what the second needs of the first (the challenge and its age) is
 * returned to the caller to keep in the session, and the options are rebuilt around it. A passkey
 * signs in as its account, with the account's role at that moment.
 */
@Component
public class Passkeys {

    /** A passkey as its owner sees it. */
    public record Passkey(
            String id,
            String label,
            @Nullable LocalDateTime created,
            @Nullable LocalDateTime lastUsed) {}

    /**
     * Options to hand to the browser (JSON) and what to keep until the browser answers: the
     * challenge and when it was issued, as text (sessions are JDK-serialized in Redis, and text
     * reads back on any version of this service).
     */
    public record Ceremony(String optionsJson, String pending) {}

    /** The browser's answer was not a valid passkey for this ceremony. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Passkeys.class);
    private static final int MAX_LABEL = 100;
    /** As long as the options tell the browser to wait for the person. */
    private static final Duration CEREMONY_TTL = Duration.ofMinutes(5);

    private final JdbcClient db;
    private final Accounts accounts;
    private final RelyingParty relyingParty;

    Passkeys(JdbcClient db, Accounts accounts, RelyingParty relyingParty) {
        this.db = db;
        this.accounts = accounts;
        this.relyingParty = relyingParty;
    }

    /**
     * Starts adding a passkey to the account: options for the browser, and what to keep. The
     * account's password is asked again, so a session alone (a borrowed browser, a stolen cookie)
     * cannot add a way back in.
     */
    public Ceremony registrationOptions(long userId, String email, String password) {
        boolean confirmed = !password.isEmpty()
                && accounts.signIn(email, password)
                        .map(caller -> Long.valueOf(userId).equals(caller.userId()))
                        .orElse(false);
        if (!confirmed) {
            throw new Refused("Enter your password to add a passkey.");
        }
        PublicKeyCredentialCreationOptions options = relyingParty.creationOptions(userId, email);
        return new Ceremony(relyingParty.toJson(options), pending(options.getChallenge()));
    }

    /**
     * Adds the passkey the browser made for the ceremony kept from {@link #registrationOptions};
     * {@link Refused} when the browser's answer does not verify or the ceremony is over.
     */
    public Passkey register(long userId, String email, String pending, String credentialJson, String label) {
        String name = label.isBlank() ? "Passkey" : label.trim();
        if (name.length() > MAX_LABEL) {
            throw new Refused("Name the passkey in at most " + MAX_LABEL + " characters.");
        }
        Bytes challenge = challenge(pending);
        PublicKeyCredentialCreationOptions fresh = relyingParty.creationOptions(userId, email);
        PublicKeyCredentialCreationOptions options = PublicKeyCredentialCreationOptions.builder()
                .rp(fresh.getRp())
                .user(fresh.getUser())
                .challenge(challenge)
                .pubKeyCredParams(fresh.getPubKeyCredParams())
                .timeout(fresh.getTimeout())
                .excludeCredentials(fresh.getExcludeCredentials())
                .authenticatorSelection(fresh.getAuthenticatorSelection())
                .attestation(fresh.getAttestation())
                .extensions(fresh.getExtensions())
                .build();
        CredentialRecord saved = verified(() -> relyingParty
                .operations()
                .registerCredential(new ImmutableRelyingPartyRegistrationRequest(
                        options, new RelyingPartyPublicKey(relyingParty.attestation(credentialJson), name))));
        return passkey(saved);
    }

    /** Starts signing in with a passkey: options for the browser (any of this site's passkeys), and what to keep. */
    public Ceremony signInOptions() {
        PublicKeyCredentialRequestOptions options = relyingParty.requestOptions();
        return new Ceremony(relyingParty.toJson(options), pending(options.getChallenge()));
    }

    /**
     * The caller a passkey signs in as; {@link Refused} when the answer does not verify, the ceremony
     * is over or the account is gone.
     */
    public Caller signIn(String pending, String credentialJson) {
        Bytes challenge = challenge(pending);
        PublicKeyCredentialRequestOptions fresh = relyingParty.requestOptions();
        PublicKeyCredentialRequestOptions options = PublicKeyCredentialRequestOptions.builder()
                .challenge(challenge)
                .rpId(fresh.getRpId())
                .timeout(fresh.getTimeout())
                .allowCredentials(fresh.getAllowCredentials())
                .userVerification(fresh.getUserVerification())
                .extensions(fresh.getExtensions())
                .build();
        PublicKeyCredentialUserEntity user = verified(() -> relyingParty
                .operations()
                .authenticate(new RelyingPartyAuthenticationRequest(options, relyingParty.assertion(credentialJson))));
        long userId;
        try {
            userId = Long.parseLong(user.getName());
        } catch (NumberFormatException e) {
            throw new Refused("This passkey belongs to no account.");
        }
        return db.sql("SELECT is_admin FROM users WHERE id = ?")
                .param(userId)
                .query(Boolean.class)
                .optional()
                .map(admin -> Caller.ofUser(userId, admin))
                .orElseThrow(() -> new Refused("This passkey belongs to no account."));
    }

    /** The account's passkeys, newest first. */
    public List<Passkey> of(long userId) {
        return relyingParty.credentialsOf(userId).stream()
                .map(Passkeys::passkey)
                .sorted(Comparator.comparing(
                        Passkey::created, Comparator.nullsLast(Comparator.<LocalDateTime>reverseOrder())))
                .toList();
    }

    /** Removes one of the account's passkeys; false when the account has no such passkey. */
    public boolean remove(long userId, String credentialId) {
        Optional<CredentialRecord> owned = relyingParty.credentialsOf(userId).stream()
                .filter(record -> record.getCredentialId().toBase64UrlString().equals(credentialId))
                .findFirst();
        owned.ifPresent(record -> relyingParty.delete(record.getCredentialId()));
        return owned.isPresent();
    }

    private static String pending(Bytes challenge) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(challenge.getBytes()) + "."
                + System.currentTimeMillis();
    }

    /** The challenge of a ceremony still running; {@link Refused} once it is over. */
    private static Bytes challenge(String pending) {
        int dot = pending.lastIndexOf('.');
        try {
            long issued = Long.parseLong(pending.substring(dot + 1));
            if (dot <= 0 || System.currentTimeMillis() - issued > CEREMONY_TTL.toMillis()) {
                throw new Refused("This passkey request has expired. Try again.");
            }
            return new Bytes(Base64.getUrlDecoder().decode(pending.substring(0, dot)));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new Refused("Start again: this page asked the browser for no passkey.");
        }
    }

    /** Runs a verification: a database failure stays one, anything else refuses the passkey. */
    private static <T> T verified(Supplier<T> verification) {
        try {
            return verification.get();
        } catch (DataIntegrityViolationException e) {
            // an oversized credential id, or the account deleted meanwhile
            log.debug("Passkey refused by the database", e);
            throw new Refused("This passkey could not be saved. Try again.");
        } catch (Refused | DataAccessException e) {
            throw e;
        } catch (RuntimeException e) {
            log.debug("Passkey refused", e);
            throw new Refused("This passkey could not be verified. Try again.");
        }
    }

    private static Passkey passkey(CredentialRecord record) {
        return new Passkey(
                record.getCredentialId().toBase64UrlString(),
                record.getLabel(),
                utc(record.getCreated()),
                utc(record.getLastUsed()));
    }

    private static @Nullable LocalDateTime utc(@Nullable Instant instant) {
        return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

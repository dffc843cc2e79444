package dev.shortener.user;

import dev.shortener.identity.Caller;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.web.webauthn.api.AuthenticatorAssertionResponse;
import org.springframework.security.web.webauthn.api.AuthenticatorAttestationResponse;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.CredentialRecord;
import org.springframework.security.web.webauthn.api.ImmutablePublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredential;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRequestOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRpEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.jackson.WebauthnJacksonModule;
import org.springframework.security.web.webauthn.management.ImmutablePublicKeyCredentialCreationOptionsRequest;
import org.springframework.security.web.webauthn.management.ImmutablePublicKeyCredentialRequestOptionsRequest;
import org.springframework.security.web.webauthn.management.ImmutableRelyingPartyRegistrationRequest;
import org.springframework.security.web.webauthn.management.JdbcPublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.JdbcUserCredentialRepository;
import org.springframework.security.web.webauthn.management.PublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.RelyingPartyAuthenticationRequest;
import org.springframework.security.web.webauthn.management.RelyingPartyPublicKey;
import org.springframework.security.web.webauthn.management.UserCredentialRepository;
import org.springframework.security.web.webauthn.management.WebAuthnRelyingPartyOperations;
import org.springframework.security.web.webauthn.management.Webauthn4JRelyingPartyOperations;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Passkeys of accounts: Spring Security's WebAuthn relying party (verification by WebAuthn4J) over
 * its JDBC repositories (migration V11). Each ceremony is two requests; what the second needs of the
 * first (a challenge, request options) is returned to the caller to keep in the session. A passkey
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

    /** Options to hand to the browser (JSON) and what to keep until the browser answers. */
    public record Ceremony<T>(String optionsJson, T pending) {}

    /** The browser's answer was not a valid passkey for this ceremony. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Passkeys.class);
    private static final TypeReference<PublicKeyCredential<AuthenticatorAttestationResponse>> ATTESTATION =
            new TypeReference<>() {};
    private static final TypeReference<PublicKeyCredential<AuthenticatorAssertionResponse>> ASSERTION =
            new TypeReference<>() {};
    private static final int MAX_LABEL = 100;

    private final JdbcClient db;
    private final PasskeySettings settings;
    private final Environment environment;
    private final PublicKeyCredentialUserEntityRepository userEntities;
    private final UserCredentialRepository credentials;
    private final JsonMapper json = JsonMapper.builder()
            .addModule(new WebauthnJacksonModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    /** Built once the port is known: the default origin is localhost at that port. */
    private volatile @Nullable WebAuthnRelyingPartyOperations relyingParty;

    Passkeys(JdbcClient db, JdbcOperations jdbc, PasskeySettings settings, Environment environment) {
        this.db = db;
        this.settings = settings;
        this.environment = environment;
        this.userEntities = new JdbcPublicKeyCredentialUserEntityRepository(jdbc);
        this.credentials = new JdbcUserCredentialRepository(jdbc);
    }

    @EventListener
    void serverStarted(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            return; // the management server
        }
        Set<String> origins = settings.originsFor(
                environment.getProperty("shortener.links.public-base-url"),
                event.getWebServer().getPort());
        String rpId = settings.rpIdFor(origins);
        relyingParty = new Webauthn4JRelyingPartyOperations(
                userEntities,
                credentials,
                PublicKeyCredentialRpEntity.builder()
                        .id(rpId)
                        .name(settings.rpName())
                        .build(),
                origins);
        log.info("Passkeys for relying party {} on {}", rpId, origins);
    }

    /** Starts adding a passkey to the account: options for the browser, and the challenge to keep. */
    public Ceremony<Bytes> registrationOptions(long userId, String email) {
        PublicKeyCredentialCreationOptions options = creationOptions(userId, email);
        return new Ceremony<>(json.writeValueAsString(options), options.getChallenge());
    }

    /**
     * Adds the passkey the browser made for the challenge kept from {@link #registrationOptions};
     * {@link Refused} when the browser's answer does not verify.
     */
    public Passkey register(long userId, String email, Bytes challenge, String credentialJson, String label) {
        String name = label.isBlank() ? "Passkey" : label.trim();
        if (name.length() > MAX_LABEL) {
            throw new Refused("Name the passkey in at most " + MAX_LABEL + " characters.");
        }
        PublicKeyCredentialCreationOptions fresh = creationOptions(userId, email);
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
        CredentialRecord saved = verified(() -> operations()
                .registerCredential(new ImmutableRelyingPartyRegistrationRequest(
                        options, new RelyingPartyPublicKey(parse(credentialJson, ATTESTATION), name))));
        return passkey(saved);
    }

    /** Starts signing in with a passkey: options for the browser (any of this site's passkeys), kept whole. */
    public Ceremony<PublicKeyCredentialRequestOptions> signInOptions() {
        PublicKeyCredentialRequestOptions options = operations()
                .createCredentialRequestOptions(new ImmutablePublicKeyCredentialRequestOptionsRequest(null));
        return new Ceremony<>(json.writeValueAsString(options), options);
    }

    /** The caller a passkey signs in as; {@link Refused} when the answer does not verify or the account is gone. */
    public Caller signIn(PublicKeyCredentialRequestOptions options, String credentialJson) {
        PublicKeyCredentialUserEntity user = verified(() -> operations()
                .authenticate(new RelyingPartyAuthenticationRequest(options, parse(credentialJson, ASSERTION))));
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
        PublicKeyCredentialUserEntity user = userEntities.findByUsername(Long.toString(userId));
        if (user == null) {
            return List.of();
        }
        return credentials.findByUserId(user.getId()).stream()
                .map(Passkeys::passkey)
                .sorted(Comparator.comparing(
                        Passkey::created, Comparator.nullsLast(Comparator.<LocalDateTime>reverseOrder())))
                .toList();
    }

    /** Removes one of the account's passkeys; false when the account has no such passkey. */
    public boolean remove(long userId, String credentialId) {
        PublicKeyCredentialUserEntity user = userEntities.findByUsername(Long.toString(userId));
        if (user == null) {
            return false;
        }
        Optional<CredentialRecord> owned = credentials.findByUserId(user.getId()).stream()
                .filter(record -> record.getCredentialId().toBase64UrlString().equals(credentialId))
                .findFirst();
        owned.ifPresent(record -> credentials.delete(record.getCredentialId()));
        return owned.isPresent();
    }

    private PublicKeyCredentialCreationOptions creationOptions(long userId, String email) {
        String name = Long.toString(userId);
        if (userEntities.findByUsername(name) == null) {
            userEntities.save(ImmutablePublicKeyCredentialUserEntity.builder()
                    .id(Bytes.random())
                    .name(name)
                    .displayName(email)
                    .build());
        }
        return operations()
                .createPublicKeyCredentialCreationOptions(new ImmutablePublicKeyCredentialCreationOptionsRequest(
                        UsernamePasswordAuthenticationToken.authenticated(name, null, List.of())));
    }

    private WebAuthnRelyingPartyOperations operations() {
        WebAuthnRelyingPartyOperations operations = relyingParty;
        if (operations == null) {
            throw new IllegalStateException("passkeys are ready once the web server has started");
        }
        return operations;
    }

    private <T> T parse(String body, TypeReference<T> type) {
        try {
            return json.readValue(body, type);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new Refused("The browser's answer is not a passkey credential.");
        }
    }

    /** Runs a verification: a database failure stays one, anything else refuses the passkey. */
    private static <T> T verified(Supplier<T> verification) {
        try {
            return verification.get();
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

package dev.shortener.user;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.web.webauthn.api.AuthenticatorAssertionResponse;
import org.springframework.security.web.webauthn.api.AuthenticatorAttestationResponse;
import org.springframework.security.web.webauthn.api.AuthenticatorSelectionCriteria;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.CredentialRecord;
import org.springframework.security.web.webauthn.api.ImmutablePublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredential;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRequestOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRpEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.ResidentKeyRequirement;
import org.springframework.security.web.webauthn.api.UserVerificationRequirement;
import org.springframework.security.web.webauthn.jackson.WebauthnJacksonModule;
import org.springframework.security.web.webauthn.management.ImmutablePublicKeyCredentialCreationOptionsRequest;
import org.springframework.security.web.webauthn.management.ImmutablePublicKeyCredentialRequestOptionsRequest;
import org.springframework.security.web.webauthn.management.JdbcPublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.JdbcUserCredentialRepository;
import org.springframework.security.web.webauthn.management.PublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.UserCredentialRepository;
import org.springframework.security.web.webauthn.management.WebAuthnRelyingPartyOperations;
import org.springframework.security.web.webauthn.management.Webauthn4JRelyingPartyOperations;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Security's WebAuthn relying party with its JDBC repositories (migration V11) and its JSON,
 * set up for this service's origins: built once the web server's port is known, since the default
 * origin is localhost at that port. A user entity's name is the account id.
 */
@Component
class RelyingParty {

    private static final Logger log = LoggerFactory.getLogger(RelyingParty.class);
    private static final TypeReference<PublicKeyCredential<AuthenticatorAttestationResponse>> ATTESTATION =
            new TypeReference<>() {};
    private static final TypeReference<PublicKeyCredential<AuthenticatorAssertionResponse>> ASSERTION =
            new TypeReference<>() {};
    /** Required, not preferred: a passkey alone signs in, so it must be the person, not just their key. */
    private static final AuthenticatorSelectionCriteria SELECTION = AuthenticatorSelectionCriteria.builder()
            .residentKey(ResidentKeyRequirement.REQUIRED)
            .userVerification(UserVerificationRequirement.REQUIRED)
            .build();

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

    RelyingParty(JdbcOperations jdbc, PasskeySettings settings, Environment environment) {
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
        Webauthn4JRelyingPartyOperations operations = new Webauthn4JRelyingPartyOperations(
                userEntities,
                credentials,
                PublicKeyCredentialRpEntity.builder()
                        .id(rpId)
                        .name(settings.rpName())
                        .build(),
                origins);
        operations.setCustomizeCreationOptions(options -> options.authenticatorSelection(SELECTION));
        operations.setCustomizeRequestOptions(
                options -> options.userVerification(UserVerificationRequirement.REQUIRED));
        relyingParty = operations;
        if (PasskeySettings.isIpAddress(rpId)) {
            log.warn("Passkeys do not work on an IP address ({}): set PUBLIC_BASE_URL or PASSKEY_ORIGINS", rpId);
        }
        log.info("Passkeys for relying party {} on {}", rpId, origins);
    }

    WebAuthnRelyingPartyOperations operations() {
        WebAuthnRelyingPartyOperations operations = relyingParty;
        if (operations == null) {
            throw new IllegalStateException("passkeys are ready once the web server has started");
        }
        return operations;
    }

    /** Options for adding a passkey to the account, whose user entity is made on first use. */
    PublicKeyCredentialCreationOptions creationOptions(long userId, String email) {
        String name = Long.toString(userId);
        if (userEntities.findByUsername(name) == null) {
            try {
                userEntities.save(ImmutablePublicKeyCredentialUserEntity.builder()
                        .id(Bytes.random())
                        .name(name)
                        .displayName(email)
                        .build());
            } catch (DuplicateKeyException e) {
                // a second request of the same person made it first (a double click): use that one
            }
        }
        return operations()
                .createPublicKeyCredentialCreationOptions(new ImmutablePublicKeyCredentialCreationOptionsRequest(
                        UsernamePasswordAuthenticationToken.authenticated(name, null, List.of())));
    }

    /** Options for signing in with any of this site's passkeys. */
    PublicKeyCredentialRequestOptions requestOptions() {
        return operations().createCredentialRequestOptions(new ImmutablePublicKeyCredentialRequestOptionsRequest(null));
    }

    /** The stored passkeys of the account, in no order. */
    List<CredentialRecord> credentialsOf(long userId) {
        PublicKeyCredentialUserEntity user = userEntities.findByUsername(Long.toString(userId));
        return user == null ? List.of() : credentials.findByUserId(user.getId());
    }

    void delete(Bytes credentialId) {
        credentials.delete(credentialId);
    }

    String toJson(Object options) {
        return json.writeValueAsString(options);
    }

    /** The browser's answer to a registration; {@link Passkeys.Refused} when it is not one. */
    PublicKeyCredential<AuthenticatorAttestationResponse> attestation(String body) {
        return parse(body, ATTESTATION);
    }

    /** The browser's answer to a sign-in; {@link Passkeys.Refused} when it is not one. */
    PublicKeyCredential<AuthenticatorAssertionResponse> assertion(String body) {
        return parse(body, ASSERTION);
    }

    private <T> T parse(String body, TypeReference<T> type) {
        try {
            return json.readValue(body, type);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new Passkeys.Refused("The browser's answer is not a passkey credential.");
        }
    }
}

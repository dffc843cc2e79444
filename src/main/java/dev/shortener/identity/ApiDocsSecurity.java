package dev.shortener.identity;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.Locale;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's security: the two schemes (an API key as a bearer token, a session
 * cookie) on every operation but the public ones, with their 401 and 403 answers.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsSecurity {

    static final String BEARER = "apiKey";
    static final String SESSION = "session";

    /** The operations anyone may call, as the OpenAPI document names them (SecurityRules permits them). */
    static final Set<String> PUBLIC_OPERATIONS = Set.of(
            "GET /health",
            "GET /health/ready",
            "GET /{code}",
            "GET /urls/{code}/redirect",
            "POST /auth/session",
            "POST /abuse-reports");

    @Bean
    OpenApiCustomizer securitySchemes() {
        return api -> {
            Components components = api.getComponents() != null ? api.getComponents() : new Components();
            api.setComponents(components
                    .addSecuritySchemes(
                            BEARER,
                            new SecurityScheme()
                                    .type(SecurityScheme.Type.HTTP)
                                    .scheme("bearer")
                                    .description("An API key (sk_…) from POST /api-keys or ADMIN_API_KEY"))
                    .addSecuritySchemes(
                            SESSION,
                            new SecurityScheme()
                                    .type(SecurityScheme.Type.APIKEY)
                                    .in(SecurityScheme.In.COOKIE)
                                    .name("shortener_session")
                                    .description("A session from POST /auth/session; changes need X-CSRF-TOKEN")));
            if (api.getPaths() == null) {
                return;
            }
            api.getPaths()
                    .forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
                        if (PUBLIC_OPERATIONS.contains(method.name().toUpperCase(Locale.ROOT) + " " + path)) {
                            return;
                        }
                        operation.addSecurityItem(new SecurityRequirement().addList(BEARER));
                        operation.addSecurityItem(new SecurityRequirement().addList(SESSION));
                        operation
                                .getResponses()
                                .putIfAbsent("401", problem("No credential, or an unknown, revoked or expired key"));
                        operation
                                .getResponses()
                                .putIfAbsent(
                                        "403",
                                        problem(
                                                "The credential's scopes do not allow it, or a session's change has no CSRF token"));
                    }));
        };
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse()
                .description(description)
                .content(new Content()
                        .addMediaType(
                                "application/problem+json",
                                new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
    }
}

package dev.shortener.platform;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ObjectSchema;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document at {@code /openapi.json}. Its schema generator runs its own Jackson, so it is
 * told the wire format's snake_case property names here.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiSettings {

    static {
        // JSON-valued fields (event details) are documented as plain objects.
        SpringDocUtils.getConfig().replaceWithSchema(JsonNode.class, new ObjectSchema());
        SpringDocUtils.getConfig().replaceWithSchema(ObjectNode.class, new ObjectSchema());
    }

    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    @Bean
    io.swagger.v3.oas.models.OpenAPI shortenerApi() {
        return new io.swagger.v3.oas.models.OpenAPI()
                .info(new Info()
                        .title("URL shortener")
                        .version("1.0")
                        .description("Users, short links, redirects with click events, and bulk CSV imports. "
                                + "Errors are RFC 9457 problem details (application/problem+json)."));
    }
}

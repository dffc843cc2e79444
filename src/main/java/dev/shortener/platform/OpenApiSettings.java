package dev.shortener.platform;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.util.Arrays;
import java.util.List;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
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

    /** Every 4xx and 5xx answer of every operation is documented as a problem-details body. */
    @Bean
    OperationCustomizer problemResponses() {
        return (operation, handler) -> {
            if (operation.getResponses() != null) {
                operation.getResponses().forEach((code, response) -> {
                    if (code.startsWith("4") || code.startsWith("5")) {
                        response.setContent(new Content()
                                .addMediaType(
                                        "application/problem+json",
                                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
                    }
                });
            }
            return operation;
        };
    }

    /** The headers of a page: an exact count by number, an estimate by cursor, and the links. */
    @Bean
    OperationCustomizer pagingHeaders() {
        return (operation, handler) -> {
            List<Class<?>> parameters = Arrays.stream(handler.getMethodParameters())
                    .<Class<?>>map(MethodParameter::getParameterType)
                    .toList();
            ApiResponse page = operation.getResponses() == null
                    ? null
                    : operation.getResponses().get("200");
            if (page == null || !parameters.contains(PageRequest.class)) {
                return operation;
            }
            boolean cursors = parameters.contains(Cursor.class);
            page.addHeaderObject(
                    "X-Total-Count",
                    integer(cursors ? "The number of items of the list; pages by number only" : "The number of items"));
            if (cursors) {
                page.addHeaderObject(
                        Cursor.ESTIMATE_HEADER,
                        integer("Pages by cursor (after, before): the planner's estimate of the number of items of the"
                                + " list, in place of X-Total-Count"));
            }
            page.addHeaderObject(
                    "Link",
                    new Header()
                            .description(
                                    cursors
                                            ? "RFC 8288 links. By number: next, prev, first, last pages. By cursor:"
                                                    + " next (after the last id), prev (before the first id), first"
                                            : "RFC 8288 links: next, prev, first, last pages")
                            .schema(new StringSchema()));
            return operation;
        };
    }

    private static Header integer(String description) {
        return new Header().description(description).schema(new IntegerSchema().format("int64"));
    }

    @Bean
    io.swagger.v3.oas.models.OpenAPI shortenerApi() {
        return new io.swagger.v3.oas.models.OpenAPI()
                .info(new Info()
                        .title("URL shortener")
                        .version("1.0")
                        .description("Users, short links, redirects with click events, and bulk CSV imports. "
                                + "Errors are RFC 9457 problem details (application/problem+json)."))
                .components(new Components().addSchemas("Problem", problemSchema()));
    }

    private static Schema<?> problemSchema() {
        return new ObjectSchema()
                .description("RFC 9457 problem details")
                .addProperty("type", new StringSchema().example("urn:shortener:problem:invalid-fields"))
                .addProperty("title", new StringSchema().example("Invalid fields"))
                .addProperty("status", new IntegerSchema().example(422))
                .addProperty("detail", new StringSchema().example("email must be a valid e-mail address"))
                .addProperty("instance", new StringSchema().example("/users"))
                .addProperty("error", new StringSchema().description("One-line message"))
                .addProperty(
                        "errors",
                        new ObjectSchema()
                                .description("Field errors: field name to message")
                                .additionalProperties(new StringSchema()));
    }
}

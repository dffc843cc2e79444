package dev.shortener;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Every endpoint of the contract is documented, with its error responses. */
class OpenApiTest extends ApiTest {

    private static final List<String[]> OPERATIONS = List.of(
            new String[] {"/health", "get"},
            new String[] {"/health/ready", "get"},
            new String[] {"/users", "get"},
            new String[] {"/users", "post"},
            new String[] {"/users/{id}", "get"},
            new String[] {"/users/{id}", "put"},
            new String[] {"/users/{id}", "delete"},
            new String[] {"/urls", "get"},
            new String[] {"/urls", "post"},
            new String[] {"/urls/{id}", "get"},
            new String[] {"/urls/{id}", "put"},
            new String[] {"/urls/{id}", "delete"},
            new String[] {"/urls/{id}/stats", "get"},
            new String[] {"/events", "get"},
            new String[] {"/events", "post"},
            new String[] {"/events/{id}", "get"},
            new String[] {"/{entity}/bulk", "post"},
            new String[] {"/users/me", "get"},
            new String[] {"/api-keys", "post"},
            new String[] {"/api-keys", "get"},
            new String[] {"/api-keys/{id}", "delete"},
            new String[] {"/auth/session", "post"},
            new String[] {"/auth/session", "get"},
            new String[] {"/auth/session", "delete"});

    /** Anyone may call these; every other operation names its credentials. */
    private static final Set<String> PUBLIC = Set.of(
            "get /health",
            "get /health/ready",
            "get /{code}",
            "get /urls/{code}/redirect",
            "post /auth/session",
            "post /abuse-reports");

    @Test
    void listsDocumentTheirTypedQueryParameters() {
        JsonNode paths = api.get("/openapi.json").expect(200).json().get("paths");

        for (String list : List.of("/users", "/urls", "/events", "/api-keys")) {
            JsonNode parameters = paths.path(list).path("get").path("parameters");
            assertThat(parameters.valueStream().map(p -> p.path("name").asString()))
                    .as("query parameters of GET %s", list)
                    .contains("page", "per_page")
                    .doesNotContain("perPage", "paging");
            parameters
                    .valueStream()
                    .filter(p -> p.path("name").asString().equals("per_page"))
                    .forEach(p ->
                            assertThat(p.path("schema").path("maximum").asInt()).isEqualTo(1000));
        }
        for (String list : List.of("/users", "/urls", "/events")) {
            JsonNode operation = paths.path(list).path("get");
            assertThat(operation
                            .path("parameters")
                            .valueStream()
                            .map(p -> p.path("name").asString()))
                    .as("cursors of GET %s", list)
                    .contains("after", "before")
                    .doesNotContain("cursor");
            operation
                    .path("parameters")
                    .valueStream()
                    .filter(p -> p.path("name").asString().matches("after|before"))
                    .forEach(p ->
                            assertThat(p.path("schema").path("type").asString()).isEqualTo("integer"));
            assertThat(operation.path("responses").path("200").path("headers").propertyNames())
                    .as("headers of a page of GET %s", list)
                    .contains("X-Total-Count", "X-Total-Count-Estimate", "Link");
        }
        assertThat(paths.path("/api-keys").path("get").path("parameters").toString())
                .as("a list without cursors")
                .doesNotContain("\"after\"");
        JsonNode urls = paths.path("/urls").path("get").path("parameters");
        assertThat(urls.valueStream()
                        .filter(p -> p.path("name").asString().equals("is_active"))
                        .map(p -> p.path("schema").path("type").asString()))
                .containsExactly("boolean");
    }

    @Test
    void theSpecDocumentsEveryEndpointWithItsErrors() {
        JsonNode paths = api.get("/openapi.json").expect(200).json().get("paths");

        for (String[] op : OPERATIONS) {
            JsonNode operation = paths.path(op[0]).path(op[1]);
            assertThat(operation.isMissingNode())
                    .as("%s %s is documented", op[1], op[0])
                    .isFalse();
            assertThat(operation.path("summary").asString(""))
                    .as("summary of %s %s", op[1], op[0])
                    .isNotBlank();
            if (!op[0].startsWith("/health")) {
                assertThat(operation.path("responses").propertyNames())
                        .as("error responses of %s %s", op[1], op[0])
                        .anyMatch(code -> code.startsWith("4"));
                operation.path("responses").properties().stream()
                        .filter(response -> response.getKey().startsWith("4"))
                        .forEach(response -> assertThat(response.getValue()
                                        .path("content")
                                        .path("application/problem+json")
                                        .path("schema")
                                        .path("$ref")
                                        .asString(""))
                                .as("%s of %s %s is a problem", response.getKey(), op[1], op[0])
                                .endsWith("/Problem"));
            }
        }
        assertThat(paths.propertyNames()).contains("/{code}", "/urls/{code}/redirect");
        assertThat(paths.path("/{entity}/bulk").path("post").path("parameters").toString())
                .as("one bulk operation documents the three entities")
                .contains("users", "urls", "events");
    }

    @Test
    void everyProtectedOperationNamesItsCredentials() {
        JsonNode spec = api.get("/openapi.json").expect(200).json();
        JsonNode schemes = spec.path("components").path("securitySchemes");
        assertThat(schemes.path("apiKey").path("scheme").asString()).isEqualTo("bearer");
        assertThat(schemes.path("session").path("in").asString()).isEqualTo("cookie");

        spec.path("paths")
                .properties()
                .forEach(path -> path.getValue().properties().forEach(operation -> {
                    String name = operation.getKey() + " " + path.getKey();
                    JsonNode security = operation.getValue().path("security");
                    if (PUBLIC.contains(name)) {
                        assertThat(security.isMissingNode())
                                .as("%s is public", name)
                                .isTrue();
                    } else {
                        assertThat(security.toString())
                                .as("credentials of %s", name)
                                .contains("apiKey", "session");
                        assertThat(operation.getValue().path("responses").propertyNames())
                                .as("401 and 403 of %s", name)
                                .contains("401", "403");
                    }
                }));
    }

    @Test
    void swaggerUiIsServedAtDocs() {
        int status = api.get("/docs").status();
        assertThat(status).isIn(200, 302);
        Api.Response page = api.get("/swagger-ui/index.html").expect(200);
        assertThat(page.header("Content-Security-Policy"))
                .as("Swagger UI runs scripts: no policy of ours")
                .isNull();
        assertThat(api.get("/health").header("Content-Security-Policy")).contains("default-src 'none'");
    }
}

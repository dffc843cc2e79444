package dev.shortener.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.Api.Response;
import dev.shortener.ApiTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class UserApiTest extends ApiTest {

    private JsonNode createUser(String username) {
        String email = unique(username) + "@example.com";
        Response created =
                api.post("/users", Map.of("username", username, "email", email)).expect(201);
        assertThat(created.header("Location"))
                .isEqualTo("/users/" + created.json().get("id").asLong());
        return created.json();
    }

    @Test
    void aCreatedUserCanBeReadBackWithAnUtcSecondTimestamp() {
        JsonNode user = createUser("briskkernel84");

        JsonNode read = api.get("/users/" + user.get("id").asLong()).expect(200).json();

        assertThat(read).isEqualTo(user);
        assertThat(read.get("username").asString()).isEqualTo("briskkernel84");
        assertThat(read.get("created_at").asString()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}");
    }

    @Test
    void usernamesMayRepeatButEmailAddressesMayNotIgnoringCase() {
        String email = unique("dup") + "@example.com";
        api.post("/users", Map.of("username", "same", "email", email)).expect(201);
        api.post("/users", Map.of("username", "same", "email", unique("other") + "@example.com"))
                .expect(201);

        api.post("/users", Map.of("username", "someone", "email", email.toUpperCase()))
                .expect(409);
    }

    @ParameterizedTest(name = "{0} is refused with 422 naming {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"email\":\"a@example.com\"}|username",
                "{\"username\":\"\",\"email\":\"a@example.com\"}|username",
                "{\"username\":\"   \",\"email\":\"a@example.com\"}|username",
                "{\"username\":123,\"email\":\"a@example.com\"}|username",
                "{\"username\":null,\"email\":\"a@example.com\"}|username",
                "{\"username\":\"ok\"}|email",
                "{\"username\":\"ok\",\"email\":\"not-an-email\"}|email",
                "{\"username\":\"ok\",\"email\":42}|email",
                "{\"username\":\"ok\",\"email\":[\"a@example.com\"]}|email",
            })
    void invalidFieldsAreRefusedWith422(String body, String field) {
        JsonNode problem = api.post("/users", body).expect(422).json();

        assertThat(problem.get("errors").has(field)).as(problem.toString()).isTrue();
    }

    @ParameterizedTest(name = "email {0} is refused with {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "\"not-an-email\"|must be a valid e-mail address",
                "\"  \"|must not be blank",
                "42|must be a string",
                "null|is required",
                "{\"address\":\"ada@example.com\"}|must be a string"
            })
    void theEmailFieldSaysWhichRuleItBroke(String email, String message) {
        JsonNode problem = api.post("/users", "{\"username\":\"ok\",\"email\":" + email + "}")
                .expect(422)
                .json();

        assertThat(problem.get("errors").get("email").asString()).isEqualTo(message);
    }

    @Test
    void aTooLongUsernameIsRefused() {
        api.post("/users", Map.of("username", "x".repeat(65), "email", unique("long") + "@example.com"))
                .expect(422);
    }

    @ParameterizedTest(name = "body {0} with Content-Type {1} gets 400")
    @CsvSource(
            delimiter = '|',
            nullValues = "NONE",
            value = {
                "\"just a string\"|application/json",
                "[1,2,3]|application/json",
                "{\"username\": |application/json",
                "''|application/json",
                "username=a&email=a%40example.com|application/x-www-form-urlencoded",
                "hello|text/plain",
                "{\"username\":\"x\"|NONE",
                "42|application/json",
                "null|application/json",
            })
    void aBodyThatIsNotAJsonObjectGets400(String body, String contentType) {
        api.raw("POST", "/users", body.equals("''") ? "" : body, contentType).expect(400);
        api.raw("PUT", "/users/1", body.equals("''") ? "" : body, contentType).expect(400);
    }

    @Test
    void aJsonObjectIsAcceptedWhateverTheContentType() {
        String body = "{\"username\":\"plain\",\"email\":\"" + unique("plain") + "@example.com\"}";
        api.raw("POST", "/users", body, "text/plain").expect(201);
    }

    @Test
    void listsArePagedByIdWithTotalAndLinkHeaders() {
        for (int i = 0; i < 3; i++) {
            createUser("pager");
        }
        Response first = api.get("/users?page=1&per_page=2").expect(200);
        long total = Long.parseLong(first.header("X-Total-Count"));

        assertThat(first.json().size()).isEqualTo(2);
        assertThat(total).isGreaterThanOrEqualTo(3);
        assertThat(first.json().get(0).get("id").asLong())
                .isLessThan(first.json().get(1).get("id").asLong());
        assertThat(first.header("Link")).contains("rel=\"next\"").contains("page=2");

        Response second = api.get("/users?page=2&per_page=2").expect(200);
        assertThat(second.json().get(0).get("id").asLong())
                .isGreaterThan(first.json().get(1).get("id").asLong());
        assertThat(second.header("Link")).contains("rel=\"prev\"");
        assertThat(api.get("/users").expect(200).json().size()).isEqualTo((int) Math.min(total, 100));
    }

    @ParameterizedTest(name = "paging {0} gets 400")
    @CsvSource({"page=0", "page=-1", "page=abc", "per_page=0", "per_page=1001", "per_page=x", "page=1.5"})
    void badPagingParametersGet400(String query) {
        api.get("/users?" + query).expect(400);
    }

    @ParameterizedTest(name = "paging {0} is refused with its rule")
    @CsvSource(
            delimiter = '|',
            value = {
                "page=0|page must be an integer of at least 1",
                "page=abc|page must be an integer",
                "per_page=1001|per_page must be an integer from 1 to 1000",
                "per_page=2.5|per_page must be an integer",
                "page=0x2|page must be an integer",
                "per_page=%2310|per_page must be an integer"
            })
    void badPagingNamesTheParameterAndItsRule(String query, String detail) {
        assertThat(api.get("/users?" + query).expect(400).json().get("detail").asString())
                .isEqualTo(detail);
    }

    @Test
    void emptyPagingParametersTakeTheirDefaults() {
        assertThat(api.get("/users?page=&per_page=").expect(200).header("Link")).contains("per_page=100");
        assertThat(api.get("/users?page=%20&per_page=%205%20").expect(200).header("Link"))
                .contains("per_page=5");
    }

    @Test
    void anUpdateChangesOnlyTheGivenFields() {
        JsonNode user = createUser("before");
        long id = user.get("id").asLong();

        JsonNode renamed =
                api.put("/users/" + id, Map.of("username", "after")).expect(200).json();
        assertThat(renamed.get("username").asString()).isEqualTo("after");
        assertThat(renamed.get("email")).isEqualTo(user.get("email"));

        String email = unique("moved") + "@example.com";
        JsonNode moved =
                api.put("/users/" + id, Map.of("email", email)).expect(200).json();
        assertThat(moved.get("email").asString()).isEqualTo(email);
        assertThat(api.get("/users/" + id).json().get("username").asString()).isEqualTo("after");
    }

    @Test
    void updateErrors() {
        JsonNode user = createUser("upd");
        JsonNode other = createUser("other");
        long id = user.get("id").asLong();

        api.put("/users/999999999", Map.of("username", "x")).expect(404);
        api.put("/users/" + id, Map.of("email", "nope")).expect(422);
        api.put("/users/" + id, Map.of("username", 5)).expect(422);
        api.put("/users/" + id, Map.of("email", other.get("email").asString())).expect(409);
    }

    @Test
    void unknownAndNonIntegerIdsAre404() {
        api.get("/users/999999999").expect(404);
        api.get("/users/abc").expect(404);
        api.delete("/users/999999999").expect(404);
    }

    @Test
    void aDeletedUserIsGone() {
        long id = createUser("gone").get("id").asLong();

        api.delete("/users/" + id).expect(204);

        api.get("/users/" + id).expect(404);
        api.delete("/users/" + id).expect(404);
    }
}

package dev.shortener.user;

import dev.shortener.identity.Caller;
import dev.shortener.platform.Cursor;
import dev.shortener.platform.Listings;
import dev.shortener.platform.PageRequest;
import dev.shortener.platform.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springdoc.core.annotations.ParameterObject;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "users")
class UserController {

    private final Users users;
    private final Listings listings;

    UserController(Users users, Listings listings) {
        this.users = users;
        this.listings = listings;
    }

    @PostMapping("/users")
    @Operation(summary = "Create a user")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = NewUser.class)))
    @ApiResponse(
            responseCode = "201",
            description = "Created",
            content = @Content(schema = @Schema(implementation = User.class)))
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object")
    @ApiResponse(responseCode = "409", description = "The e-mail address is taken")
    @ApiResponse(responseCode = "422", description = "Invalid fields")
    ResponseEntity<User> create(@RequestBody NewUser input) {
        User user = users.create(input.username(), input.email());
        return ResponseEntity.created(URI.create("/users/" + user.id())).body(user);
    }

    @GetMapping("/users")
    @Operation(summary = "List users by id, one page at a time, by number or by cursor")
    @ApiResponse(responseCode = "200", description = "A page of users")
    @ApiResponse(responseCode = "400", description = "Bad paging parameters")
    ResponseEntity<List<User>> list(@Valid @ParameterObject PageRequest paging, @Valid @ParameterObject Cursor cursor) {
        return listings.respond(users.list(), paging, cursor);
    }

    @GetMapping("/users/me")
    @Operation(summary = "The user the caller's key or session acts for")
    @ApiResponse(responseCode = "404", description = "The key belongs to no user (an operator's key)")
    User me() {
        Long id = Caller.current().userId();
        return (id == null ? java.util.Optional.<User>empty() : users.find(id))
                .orElseThrow(() -> Problems.notFound("This credential belongs to no user"));
    }

    @GetMapping("/users/{id}")
    @Operation(summary = "One user")
    @ApiResponse(responseCode = "404", description = "No such user")
    User get(@PathVariable long id) {
        return users.find(id).orElseThrow(() -> notFound(id));
    }

    @PutMapping("/users/{id}")
    @Operation(summary = "Update a user's username and/or e-mail address")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = UserChanges.class)))
    @ApiResponse(responseCode = "400", description = "The body is not a JSON object")
    @ApiResponse(responseCode = "404", description = "No such user")
    @ApiResponse(responseCode = "409", description = "The e-mail address is taken")
    @ApiResponse(responseCode = "422", description = "Invalid fields")
    User update(@PathVariable long id, @RequestBody UserChanges input) {
        get(id);
        return users.update(id, input.username(), input.email()).orElseThrow(() -> notFound(id));
    }

    @DeleteMapping("/users/{id}")
    @Operation(summary = "Delete a user and the user's links (each records a deleted event)")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such user")
    ResponseEntity<Void> delete(@PathVariable long id) {
        if (!users.delete(id, Caller.current().actor())) {
            throw notFound(id);
        }
        return ResponseEntity.noContent().build();
    }

    private static ErrorResponseException notFound(long id) {
        return Problems.notFound("User " + id + " does not exist");
    }
}

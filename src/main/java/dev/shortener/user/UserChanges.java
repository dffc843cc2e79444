package dev.shortener.user;

import dev.shortener.platform.JsonRequest;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** The fields of a user to change; an absent one keeps its value. */
@JsonRequest(partial = true)
@Schema(name = "UserChanges", example = """
        {"email":"briskkernel84@example.org"}""")
record UserChanges(
        @Schema(maxLength = User.MAX_USERNAME_LENGTH, minLength = 1)
        @Nullable
        @Pattern(regexp = JsonRequest.NOT_BLANK, message = "must not be empty")
        @Size(max = User.MAX_USERNAME_LENGTH)
        String username,

        @Schema(implementation = String.class, format = "email", maxLength = Email.MAX_LENGTH) @Nullable
        Email email) {

    UserChanges {
        username = username == null ? null : username.trim();
    }
}

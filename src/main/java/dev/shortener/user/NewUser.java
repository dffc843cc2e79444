package dev.shortener.user;

import dev.shortener.platform.JsonRequest;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** A user to create; both fields are kept without surrounding white space. */
@JsonRequest
@Schema(name = "UserInput", example = """
        {"username":"briskkernel84","email":"briskkernel84@example.com"}""")
record NewUser(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = User.MAX_USERNAME_LENGTH, minLength = 1)
        @NotNull
        @NotBlank
        @Size(max = User.MAX_USERNAME_LENGTH)
        String username,

        @Schema(
                requiredMode = Schema.RequiredMode.REQUIRED,
                implementation = String.class,
                format = "email",
                maxLength = Email.MAX_LENGTH)
        @NotNull
        Email email) {

    NewUser {
        username = username == null ? null : username.trim();
    }
}

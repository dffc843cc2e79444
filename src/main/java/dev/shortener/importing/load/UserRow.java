package dev.shortener.importing.load;

import dev.shortener.user.Email;
import dev.shortener.user.User;
import java.time.LocalDateTime;
import org.jspecify.annotations.Nullable;

/** A row of a users file: {@code id,username,email,created_at}; id and created_at optional. */
public record UserRow(
        long line,
        @Nullable Long id,
        String username,
        String email,
        @Nullable LocalDateTime createdAt) implements Row {

    /** The valid row, or null when the line's problems say why not. */
    static @Nullable UserRow read(CsvLine in) {
        Long id = in.optionalId("id");
        String username = in.requiredText("username", User.MAX_USERNAME_LENGTH);
        String email = in.requiredText("email", Email.MAX_LENGTH);
        if (email != null && !Email.isValid(email)) {
            in.reject("email", "must be a valid e-mail address");
        }
        LocalDateTime createdAt = in.optionalTimestamp("created_at");
        if (username == null || email == null || !in.isValid()) {
            return null;
        }
        return new UserRow(in.line(), id, username, email, createdAt);
    }

    @Override
    public void stage(StagingWriter out) {
        out.add(id).add(username).add(email).add(createdAt);
    }
}

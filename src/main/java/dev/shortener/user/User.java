package dev.shortener.user;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDateTime;

/** A user as the API shows it. */
@Schema(name = "User", example = """
        {"id":1,"username":"briskkernel84","email":"briskkernel84@example.com","created_at":"2024-11-14T04:11:00"}""")
public record User(long id, String username, String email, LocalDateTime createdAt) {

    /** The longest username, wherever one is written (API, pages, imports). */
    public static final int MAX_USERNAME_LENGTH = 64;
}

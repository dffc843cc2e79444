package dev.shortener.web;

import dev.shortener.identity.Caller;
import dev.shortener.user.Users;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Who looks at a page, for its header: signed in or not, administrator or not, by which name.
 *
 * @param userId null when nobody is signed in (the open modes' anonymous caller included)
 */
public record Viewer(@Nullable Long userId, boolean admin, String name) {

    public boolean signedIn() {
        return userId != null;
    }

    /** Puts the viewer into the model of every page. */
    @ControllerAdvice(basePackageClasses = Viewer.class)
    static class Advice {

        private final Users users;

        Advice(Users users) {
            this.users = users;
        }

        @ModelAttribute("me")
        Viewer me() {
            Caller caller = Caller.current();
            Long userId = caller.userId();
            if (userId == null) {
                return new Viewer(null, false, "");
            }
            String name = users.find(userId).map(user -> user.username()).orElse("user " + userId);
            return new Viewer(userId, caller.admin(), name);
        }
    }
}

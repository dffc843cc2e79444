package dev.shortener.web;

import dev.shortener.identity.Caller;
import dev.shortener.identity.Sessions;
import dev.shortener.platform.Metered;
import dev.shortener.user.AccountLinks;
import dev.shortener.user.AccountSettings;
import dev.shortener.user.Accounts;
import dev.shortener.user.Email;
import dev.shortener.user.Password;
import dev.shortener.user.User;
import dev.shortener.user.Users;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Signing up, in and out, and setting a password through an invitation or reset link. */
@Controller
class AccountPages {

    private static final String HOME = "/-/links";

    private final Accounts accounts;
    private final AccountLinks accountLinks;
    private final AccountSettings settings;
    private final Sessions sessions;

    AccountPages(Accounts accounts, AccountLinks accountLinks, AccountSettings settings, Sessions sessions) {
        this.accounts = accounts;
        this.accountLinks = accountLinks;
        this.settings = settings;
        this.sessions = sessions;
    }

    @GetMapping("/-/login")
    String login(@RequestParam(required = false) @Nullable String next, Model model) {
        model.addAttribute("next", safeNext(next));
        model.addAttribute("signupOpen", settings.signupMode() == AccountSettings.Signup.OPEN);
        return "login";
    }

    @PostMapping("/-/login")
    @Metered(Metered.Budget.SIGN_IN)
    String signIn(
            @RequestParam(defaultValue = "") String email,
            @RequestParam(defaultValue = "") String password,
            @RequestParam(required = false) @Nullable String next,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        Optional<Caller> caller =
                email.isBlank() || password.isEmpty() ? Optional.empty() : accounts.signIn(email, password);
        if (caller.isEmpty()) {
            // not 401, which promises a WWW-Authenticate challenge that a form has no use for
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            model.addAttribute("email", email);
            model.addAttribute("error", "Wrong e-mail address or password.");
            return login(next, model);
        }
        sessions.start(caller.get(), request, response);
        return "redirect:" + safeNext(next);
    }

    @PostMapping("/-/logout")
    String signOut(HttpServletRequest request) {
        sessions.end(request);
        return "redirect:/";
    }

    @GetMapping("/-/signup")
    String signup(Model model) {
        model.addAttribute("signup", settings.signupMode().name().toLowerCase(java.util.Locale.ROOT));
        model.addAttribute("errors", Map.of());
        return "signup";
    }

    @PostMapping("/-/signup")
    @Metered(Metered.Budget.SIGN_IN)
    String signUp(
            @RequestParam(defaultValue = "") String username,
            @RequestParam(defaultValue = "") String email,
            @RequestParam(defaultValue = "") String password,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        if (settings.signupMode() != AccountSettings.Signup.OPEN) {
            response.setStatus(HttpStatus.FORBIDDEN.value());
            return signup(model);
        }
        Map<String, String> errors = new LinkedHashMap<>();
        String name = username.trim();
        if (name.isEmpty() || name.length() > User.MAX_USERNAME_LENGTH) {
            errors.put("username", "Choose a name of 1 to " + User.MAX_USERNAME_LENGTH + " characters.");
        }
        if (!Email.isValid(email.trim())) {
            errors.put("email", "Enter a valid e-mail address.");
        }
        Password.problemWith(password).ifPresent(problem -> errors.put("password", "The password " + problem + "."));
        User user = null;
        if (errors.isEmpty()) {
            try {
                user = accounts.signUp(name, new Email(email.trim()), password);
            } catch (Users.EmailTaken e) {
                errors.put("email", "An account with this e-mail address exists already. Sign in instead.");
            }
        }
        if (user == null) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            model.addAttribute("username", name);
            model.addAttribute("email", email.trim());
            signup(model);
            model.addAttribute("errors", errors);
            return "signup";
        }
        // a new account is never an administrator; no second Argon2 check of the password just set
        sessions.start(Caller.ofUser(user.id(), false), request, response);
        return "redirect:" + HOME;
    }

    @GetMapping("/-/welcome/{token}")
    String welcome(@PathVariable String token, Model model, HttpServletResponse response) {
        Optional<AccountLinks.Invitee> invitee = accountLinks.pending(token);
        if (invitee.isEmpty()) {
            response.setStatus(HttpStatus.NOT_FOUND.value());
        }
        model.addAttribute("invitee", invitee.orElse(null));
        model.addAttribute("token", token);
        return "welcome";
    }

    @PostMapping("/-/welcome/{token}")
    @Metered(Metered.Budget.SIGN_IN)
    String setPassword(
            @PathVariable String token,
            @RequestParam(defaultValue = "") String password,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        Optional<String> problem = Password.problemWith(password);
        if (problem.isPresent()) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            model.addAttribute("error", "The password " + problem.get() + ".");
            return welcome(token, model, response);
        }
        Optional<Caller> caller = accountLinks.redeem(token, password);
        if (caller.isEmpty()) {
            return welcome(token, model, response);
        }
        sessions.start(caller.get(), request, response);
        return "redirect:" + HOME;
    }

    /** Where to go after signing in: a page of this site only, never another host. */
    static String safeNext(@Nullable String next) {
        if (next == null
                || !next.startsWith("/")
                || next.startsWith("//")
                || next.contains("\\")
                || next.contains("{")
                || next.contains("}")
                || next.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            return HOME;
        }
        return next;
    }
}

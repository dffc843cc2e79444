package dev.shortener.web;

import dev.shortener.identity.Caller;
import dev.shortener.identity.Sessions;
import dev.shortener.platform.Metered;
import dev.shortener.platform.Problems;
import dev.shortener.user.Passkeys;
import dev.shortener.user.User;
import dev.shortener.user.Users;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.net.URI;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.FlashMap;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.RequestContextUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Passkeys: a signed-in person adds and removes them on a settings page, and signs in with one on
 * the sign-in page. Each ceremony is two JSON requests from app.js (options, then the browser's
 * answer); what the second needs of the first is kept in the session, for one answer only. Adding a
 * passkey asks for the password again; both ceremonies draw on the sign-in budget.
 */
@Controller
class PasskeyPages {

    private static final String SETTINGS = "/-/settings/passkeys";
    private static final String REGISTRATION = PasskeyPages.class.getName() + ".registration";
    private static final String SIGN_IN = PasskeyPages.class.getName() + ".signIn";
    private static final String NO_CEREMONY = "Start again: this page asked the browser for no passkey.";

    private final Passkeys passkeys;
    private final Users users;
    private final Sessions sessions;
    private final ObjectMapper json;

    PasskeyPages(Passkeys passkeys, Users users, Sessions sessions, ObjectMapper json) {
        this.passkeys = passkeys;
        this.users = users;
        this.sessions = sessions;
        this.json = json;
    }

    @GetMapping("/-/settings/passkeys")
    String list(Model model) {
        model.addAttribute("passkeys", passkeys.of(person().id()));
        return "passkeys";
    }

    @PostMapping(path = "/-/settings/passkeys/options", produces = MediaType.APPLICATION_JSON_VALUE)
    @Metered(Metered.Budget.SIGN_IN)
    ResponseEntity<?> registrationOptions(@RequestBody String body, HttpSession session) {
        User person = person();
        try {
            Passkeys.Ceremony ceremony = passkeys.registrationOptions(
                    person.id(),
                    person.email(),
                    json.readTree(body).path("password").asString(""));
            session.setAttribute(REGISTRATION, ceremony.pending());
            return json(ceremony.optionsJson());
        } catch (JacksonException e) {
            return refused("The request is not JSON.");
        } catch (Passkeys.Refused e) {
            return refused(e.getMessage());
        }
    }

    @PostMapping(path = "/-/settings/passkeys", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> register(
            @RequestBody String body, HttpSession session, HttpServletRequest request, HttpServletResponse response) {
        User person = person();
        String pending = take(session, REGISTRATION);
        if (pending == null) {
            return refused(NO_CEREMONY);
        }
        try {
            JsonNode answer = json.readTree(body);
            Passkeys.Passkey added = passkeys.register(
                    person.id(),
                    person.email(),
                    pending,
                    answer.path("credential").toString(),
                    answer.path("label").asString(""));
            // the script follows the answer's redirect; the notice waits for that page like a form's would
            FlashMap notice = RequestContextUtils.getOutputFlashMap(request);
            notice.put("notice", "Passkey " + added.label() + " added.");
            RequestContextUtils.saveOutputFlashMap(SETTINGS, request, response);
            return ResponseEntity.ok(Map.of("redirect", SETTINGS));
        } catch (JacksonException e) {
            return refused("The browser's answer is not JSON.");
        } catch (Passkeys.Refused e) {
            return refused(e.getMessage());
        }
    }

    @PostMapping("/-/settings/passkeys/{id}/remove")
    String remove(@PathVariable String id, RedirectAttributes flash) {
        if (passkeys.remove(person().id(), id)) {
            flash.addFlashAttribute("notice", "The passkey was removed: it no longer signs you in.");
        }
        return "redirect:" + SETTINGS;
    }

    @PostMapping(path = "/-/login/passkey/options", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> signInOptions(HttpServletRequest request) {
        Passkeys.Ceremony ceremony = passkeys.signInOptions();
        request.getSession(true).setAttribute(SIGN_IN, ceremony.pending());
        return json(ceremony.optionsJson());
    }

    @PostMapping(path = "/-/login/passkey", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Metered(Metered.Budget.SIGN_IN)
    ResponseEntity<?> signIn(@RequestBody String body, HttpServletRequest request, HttpServletResponse response) {
        HttpSession session = request.getSession(false);
        String pending = session == null ? null : take(session, SIGN_IN);
        if (pending == null) {
            return refused(NO_CEREMONY);
        }
        try {
            JsonNode answer = json.readTree(body);
            Caller caller = passkeys.signIn(pending, answer.path("credential").toString());
            sessions.start(caller, request, response);
            return ResponseEntity.ok(
                    Map.of("redirect", AccountPages.safeNext(answer.path("next").asString(null))));
        } catch (JacksonException e) {
            return refused("The browser's answer is not JSON.");
        } catch (Passkeys.Refused e) {
            return refused(e.getMessage());
        }
    }

    /** What a ceremony kept in the session, taken out: each ceremony takes one answer. */
    private static @Nullable String take(HttpSession session, String attribute) {
        Object kept = session.getAttribute(attribute);
        session.removeAttribute(attribute);
        return kept instanceof String text ? text : null;
    }

    private static ResponseEntity<String> json(String body) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }

    private User person() {
        Long userId = Caller.current().userId();
        return users.find(userId == null ? -1 : userId)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.FORBIDDEN, "This account is gone."));
    }

    private static ResponseEntity<ProblemDetail> refused(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setType(URI.create("urn:shortener:problem:passkey-refused"));
        problem.setTitle("Passkey not accepted");
        Problems.complete(problem);
        return ResponseEntity.badRequest()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}

package dev.shortener.web;

import dev.shortener.identity.ApiKey;
import dev.shortener.identity.ApiKeys;
import dev.shortener.identity.Caller;
import dev.shortener.identity.KeyIntrospector;
import dev.shortener.identity.Scope;
import dev.shortener.identity.Sessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** A person's API keys: create one (its secret shown once), list them, revoke one. */
@Controller
class KeyPages {

    private final ApiKeys keys;
    private final KeyIntrospector introspector;
    private final Sessions sessions;

    KeyPages(ApiKeys keys, KeyIntrospector introspector, Sessions sessions) {
        this.keys = keys;
        this.introspector = introspector;
        this.sessions = sessions;
    }

    @GetMapping("/-/settings/api-keys")
    String list(Model model, HttpServletRequest request) {
        Caller person = Caller.current();
        model.addAttribute("keys", keys.of(person.userId()));
        model.addAttribute("scopes", grantable(person));
        model.addAttribute("signInAgain", !sessions.signedInRecently(person, request));
        return "keys";
    }

    @PostMapping("/-/settings/api-keys")
    String create(
            @RequestParam(defaultValue = "") String name,
            @RequestParam(name = "scope", required = false) @Nullable List<String> scopeTexts,
            Model model,
            HttpServletRequest request,
            HttpServletResponse response,
            RedirectAttributes flash) {
        Caller person = Caller.current();
        if (!sessions.signedInRecently(person, request)) {
            response.setStatus(HttpStatus.FORBIDDEN.value());
            return list(model, request);
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String text : scopeTexts == null ? List.<String>of() : scopeTexts) {
            Scope scope = Scope.of(text);
            if (scope != null && grantable(person).contains(scope)) {
                scopes.add(scope);
            }
        }
        String error = name.isBlank() || name.length() > 100
                ? "Name the key (1 to 100 characters), e.g. after the script that uses it."
                : scopes.isEmpty() ? "Choose at least one scope." : null;
        if (error != null) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            model.addAttribute("error", error);
            model.addAttribute("name", name);
            return list(model, request);
        }
        ApiKey.Issued issued = keys.issueOwn(person, name.trim(), scopes);
        flash.addFlashAttribute("issuedName", issued.name());
        flash.addFlashAttribute("issuedKey", issued.key());
        return "redirect:/-/settings/api-keys";
    }

    @PostMapping("/-/settings/api-keys/{id}/revoke")
    String revoke(@PathVariable long id, RedirectAttributes flash) {
        if (keys.revoke(id, Caller.current().userId())) {
            introspector.forget();
            flash.addFlashAttribute("notice", "The key was revoked: every instance refuses it within a second.");
        }
        return "redirect:/-/settings/api-keys";
    }

    /** The scopes a person may put on a key: their own; only an administrator grants admin. */
    private static Set<Scope> grantable(Caller person) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        scopes.addAll(person.scopes());
        return scopes;
    }
}

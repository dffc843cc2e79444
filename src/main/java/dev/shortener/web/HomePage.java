package dev.shortener.web;

import dev.shortener.identity.Caller;
import dev.shortener.identity.Scope;
import dev.shortener.link.Link;
import dev.shortener.link.LinkForms;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The home page: shorten a URL and get its short link, with a copy button and a QR code. */
@Controller
class HomePage {

    private final LinkForms forms;
    private final ShortUrls shortUrls;
    private final boolean anonymousLinks;

    HomePage(
            LinkForms forms,
            ShortUrls shortUrls,
            @Value("${shortener.web.anonymous-links:false}") boolean anonymousLinks) {
        this.forms = forms;
        this.shortUrls = shortUrls;
        this.anonymousLinks = anonymousLinks;
    }

    @GetMapping("/")
    String home(Model model) {
        model.addAttribute("mayShorten", mayShorten(Caller.current()));
        if (!model.containsAttribute("errors")) {
            model.addAttribute("errors", Map.of());
        }
        return "home";
    }

    @PostMapping("/-/shorten")
    String shorten(
            @RequestParam(name = "original_url", defaultValue = "") String url,
            @RequestParam(required = false) @Nullable String title,
            @RequestParam(name = "short_code", required = false) @Nullable String code,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        Caller caller = Caller.current();
        if (!mayShorten(caller)) {
            return "redirect:/-/login?next=/";
        }
        LinkForms.Outcome outcome = forms.create(caller.userId(), url, title, code, caller.actor());
        Link link = outcome.link();
        if (link == null) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            model.addAttribute("errors", outcome.errors());
            model.addAttribute("originalUrl", url);
            model.addAttribute("linkTitle", title);
            model.addAttribute("shortCode", code);
            return home(model);
        }
        String shortUrl = shortUrls.of(link.shortCode());
        // flash attributes live in the session (Redis): plain values only
        flash.addFlashAttribute("shortUrl", shortUrl);
        flash.addFlashAttribute("target", link.originalUrl());
        if (link.userId() != null) {
            flash.addFlashAttribute("linkId", link.id());
        }
        flash.addFlashAttribute(
                "qr",
                "data:image/svg+xml;base64,"
                        + Base64.getEncoder()
                                .encodeToString(QrCodes.svg(shortUrl, QrCodes.DEFAULT_SIZE, QrCodes.DEFAULT_MARGIN)
                                        .getBytes(StandardCharsets.UTF_8)));
        return "redirect:/";
    }

    /**
     * A person signed in with a password or a passkey always may, a key (or a session it signed in)
     * only within its scopes; anyone else where the mode lets anonymous callers write links (the
     * open modes) or {@code ANONYMOUS_LINKS=true}. Anonymous links belong to nobody.
     */
    private boolean mayShorten(Caller caller) {
        if (caller.keyId() != null) {
            return caller.scopes().contains(Scope.LINKS_WRITE); // a key (or its session) within its scopes
        }
        return caller.userId() != null || caller.scopes().contains(Scope.LINKS_WRITE) || anonymousLinks;
    }
}

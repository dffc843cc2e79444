package dev.shortener.web;

import dev.shortener.abuse.AbuseReports;
import dev.shortener.abuse.Takedowns;
import dev.shortener.identity.Caller;
import dev.shortener.identity.Sessions;
import dev.shortener.link.Link;
import dev.shortener.link.Links;
import dev.shortener.user.AccountLinks;
import dev.shortener.user.Accounts;
import dev.shortener.user.Email;
import dev.shortener.user.User;
import dev.shortener.user.Users;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** What administrators do: invite people and reset passwords, take links down, handle abuse reports. */
@Controller
class AdminPages {

    private static final int LIST_SIZE = 100;

    private final Accounts accounts;
    private final AccountLinks accountLinks;
    private final Users users;
    private final Links links;
    private final Takedowns takedowns;
    private final AbuseReports reports;
    private final Sessions sessions;

    AdminPages(
            Accounts accounts,
            AccountLinks accountLinks,
            Users users,
            Links links,
            Takedowns takedowns,
            AbuseReports reports,
            Sessions sessions) {
        this.sessions = sessions;
        this.accounts = accounts;
        this.accountLinks = accountLinks;
        this.users = users;
        this.links = links;
        this.takedowns = takedowns;
        this.reports = reports;
    }

    @GetMapping({"/-/admin", "/-/admin/users"})
    String users(@RequestParam(required = false) @Nullable String q, Model model) {
        model.addAttribute("q", q == null ? "" : q);
        model.addAttribute("accounts", accounts.list(q, LIST_SIZE));
        return "admin-users";
    }

    @PostMapping("/-/admin/users/invite")
    String invite(
            @RequestParam(defaultValue = "") String username,
            @RequestParam(defaultValue = "") String email,
            Model model,
            HttpServletRequest request,
            HttpServletResponse response,
            RedirectAttributes flash) {
        if (!sessions.signedInRecently(Caller.current(), request)) {
            return signInAgain(model, response);
        }
        String name = username.trim();
        String address = email.trim();
        String error = name.isEmpty() || name.length() > 64
                ? "Choose a name of 1 to 64 characters."
                : !Email.isValid(address) ? "Enter a valid e-mail address." : null;
        User user = null;
        if (error == null) {
            try {
                user = accounts.invite(name, new Email(address));
            } catch (Users.EmailTaken e) {
                error = "A user with this e-mail address exists already: send a password-reset link instead.";
            }
        }
        if (user == null) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            model.addAttribute("error", error);
            return users(null, model);
        }
        return linkFor(user, AccountLinks.Purpose.INVITE, flash);
    }

    @PostMapping("/-/admin/users/{id}/reset")
    String reset(
            @PathVariable long id,
            Model model,
            HttpServletRequest request,
            HttpServletResponse response,
            RedirectAttributes flash) {
        if (!sessions.signedInRecently(Caller.current(), request)) {
            return signInAgain(model, response);
        }
        Optional<User> user = users.find(id);
        if (user.isEmpty()) {
            flash.addFlashAttribute("notice", "That user no longer exists.");
            return "redirect:/-/admin/users";
        }
        return linkFor(user.get(), AccountLinks.Purpose.RESET, flash);
    }

    /** An account link is a lasting credential, as an API key is: an old session signs in again first. */
    private String signInAgain(Model model, HttpServletResponse response) {
        response.setStatus(HttpStatus.FORBIDDEN.value());
        model.addAttribute(
                "error",
                "Sign in again to hand out invitations and password-reset links:"
                        + " your sign-in is older than the service allows for that.");
        model.addAttribute("signInAgain", true);
        return users(null, model);
    }

    /** Shows the admin the one-time link to hand over (no e-mail is sent without SMTP). */
    private String linkFor(User user, AccountLinks.Purpose purpose, RedirectAttributes flash) {
        AccountLinks.AccountLink link =
                accountLinks.issue(user.id(), purpose, Caller.current().actor());
        String url = ServletUriComponentsBuilder.fromCurrentContextPath()
                .path("/-/welcome/" + link.token())
                .build()
                .toUriString();
        flash.addFlashAttribute("accountLink", url);
        flash.addFlashAttribute(
                "notice",
                (purpose == AccountLinks.Purpose.INVITE ? "Invitation" : "Password-reset link") + " for " + user.email()
                        + ", valid until " + link.expiresAt() + " UTC. Hand it over; it works once.");
        return "redirect:/-/admin/users";
    }

    @GetMapping("/-/admin/abuse")
    String abuse(Model model) {
        model.addAttribute("blocked", takedowns.page(0, LIST_SIZE));
        model.addAttribute("reports", reports.page(false, 0, LIST_SIZE));
        return "admin-abuse";
    }

    @PostMapping("/-/admin/abuse/block")
    String block(
            @RequestParam(name = "short_code", defaultValue = "") String code,
            @RequestParam(defaultValue = "") String reason,
            RedirectAttributes flash) {
        Optional<Link> link = links.findByCode(code.trim());
        String why = reason.isBlank() ? "abuse" : reason.trim();
        if (link.isEmpty() || why.length() > 500) {
            flash.addFlashAttribute(
                    "notice",
                    link.isEmpty()
                            ? "No link has the short code " + code.trim() + "."
                            : "Keep the reason under 500 characters.");
        } else {
            takedowns.block(link.get().id(), why, Caller.current().actor());
            flash.addFlashAttribute("notice", "/" + link.get().shortCode() + " is down: it answers 410 Gone.");
        }
        return "redirect:/-/admin/abuse";
    }

    @PostMapping("/-/admin/abuse/{urlId}/unblock")
    String unblock(@PathVariable long urlId, RedirectAttributes flash) {
        if (takedowns.unblock(urlId, Caller.current().actor())) {
            flash.addFlashAttribute("notice", "The link redirects again.");
        }
        return "redirect:/-/admin/abuse";
    }

    @PostMapping("/-/admin/abuse/reports/{id}/resolve")
    String resolve(
            @PathVariable long id,
            @RequestParam(defaultValue = "handled") String resolution,
            RedirectAttributes flash) {
        String text = resolution.isBlank() ? "handled" : resolution.trim();
        boolean resolved = reports.resolve(
                        id,
                        text.length() > 500 ? text.substring(0, 500) : text,
                        Caller.current().actor())
                .isPresent();
        flash.addFlashAttribute("notice", resolved ? "Report " + id + " resolved." : "There is no report " + id + ".");
        return "redirect:/-/admin/abuse";
    }
}

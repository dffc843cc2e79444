package dev.shortener.web;

import dev.shortener.event.ClickStatistics;
import dev.shortener.event.LinkStatistics;
import dev.shortener.identity.Caller;
import dev.shortener.link.Link;
import dev.shortener.link.LinkForms;
import dev.shortener.link.Links;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.ObjectMapper;

/** A person's links: the list, one link with its clicks, its settings and its QR code. */
@Controller
class LinkPages {

    private static final int RECENT_CLICKS = 20;

    private final LinkListing listing;
    private final Links links;
    private final LinkForms forms;
    private final ClickStatistics statistics;
    private final ShortUrls shortUrls;
    private final ObjectMapper json;

    LinkPages(
            LinkListing listing,
            Links links,
            LinkForms forms,
            ClickStatistics statistics,
            ShortUrls shortUrls,
            ObjectMapper json) {
        this.listing = listing;
        this.links = links;
        this.forms = forms;
        this.statistics = statistics;
        this.shortUrls = shortUrls;
        this.json = json;
    }

    @GetMapping("/-/links")
    String list(
            @RequestParam(required = false) @Nullable String q,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String order,
            @RequestParam(required = false) @Nullable String after,
            Model model) {
        LinkListing.Status wantedStatus = LinkListing.Status.of(status);
        LinkListing.Order wantedOrder = LinkListing.Order.of(order);
        model.addAttribute("q", q == null ? "" : q);
        model.addAttribute("status", wantedStatus.name().toLowerCase(java.util.Locale.ROOT));
        model.addAttribute("order", wantedOrder.name().toLowerCase(java.util.Locale.ROOT));
        model.addAttribute(
                "page", listing.page(person(), q, wantedStatus, wantedOrder, LinkListing.After.of(after, wantedOrder)));
        model.addAttribute("shortUrls", shortUrls);
        return "links";
    }

    @PostMapping("/-/links/deactivate")
    String deactivate(@RequestParam(name = "id", required = false) @Nullable List<Long> ids, RedirectAttributes flash) {
        int changed = ids == null
                ? 0
                : forms.deactivate(person(), ids, Caller.current().actor());
        flash.addFlashAttribute("notice", changed == 1 ? "1 link deactivated." : changed + " links deactivated.");
        return "redirect:/-/links";
    }

    @GetMapping("/-/links/{id}")
    String show(@PathVariable long id, @RequestParam(defaultValue = "30") int days, Model model) {
        Link link = own(id);
        int span = days == 90 ? 90 : 30;
        LinkStatistics stats = statistics.of(id, span).orElseThrow();
        model.addAttribute("link", link);
        model.addAttribute("shortUrl", shortUrls.of(link.shortCode()));
        model.addAttribute("stats", stats);
        model.addAttribute("days", span);
        model.addAttribute(
                "chart",
                json.writeValueAsString(Map.of(
                        "dates",
                                stats.clicksPerDay().stream()
                                        .map(day -> day.date().toString())
                                        .toList(),
                        "clicks",
                                stats.clicksPerDay().stream()
                                        .map(LinkStatistics.DailyClicks::clicks)
                                        .toList())));
        model.addAttribute("recent", statistics.recent(id, RECENT_CLICKS));
        if (!model.containsAttribute("errors")) {
            model.addAttribute("errors", Map.of());
        }
        return "link";
    }

    @PostMapping("/-/links/{id}")
    String update(
            @PathVariable long id,
            @RequestParam(name = "original_url", defaultValue = "") String url,
            @RequestParam(required = false) @Nullable String title,
            @RequestParam(name = "is_active", defaultValue = "false") boolean active,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        own(id);
        LinkForms.Outcome outcome =
                forms.update(id, url, title, active, Caller.current().actor());
        if (outcome.link() == null) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            model.addAttribute("errors", outcome.errors());
            return show(id, 30, model);
        }
        flash.addFlashAttribute("notice", "Saved.");
        return "redirect:/-/links/" + id;
    }

    @GetMapping("/-/links/{id}/qr.{format:png|svg}")
    ResponseEntity<byte[]> qr(
            @PathVariable long id,
            @PathVariable String format,
            @RequestParam(defaultValue = "" + QrCodes.DEFAULT_SIZE) int size,
            @RequestParam(defaultValue = "" + QrCodes.DEFAULT_MARGIN) int margin,
            @RequestParam(defaultValue = "false") boolean download) {
        Link link = own(id);
        String shortUrl = shortUrls.of(link.shortCode());
        boolean png = format.equals("png");
        byte[] image;
        try {
            image = png
                    ? QrCodes.png(shortUrl, size, margin)
                    : QrCodes.svg(shortUrl, size, margin).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        ResponseEntity.BodyBuilder answer = ResponseEntity.ok()
                .contentType(png ? MediaType.IMAGE_PNG : MediaType.valueOf("image/svg+xml"))
                .cacheControl(CacheControl.noStore());
        if (download) {
            answer.header("Content-Disposition", "attachment; filename=\"" + link.shortCode() + "." + format + "\"");
        }
        return answer.body(image);
    }

    /** The signed-in person's link, or a 404 (another person's link does not exist for them). */
    private Link own(long id) {
        return links.findFor(id, Caller.current())
                .filter(link -> link.userId() != null
                        && link.userId().equals(Caller.current().userId()))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No such link"));
    }

    private static long person() {
        Long userId = Caller.current().userId();
        if (userId == null) {
            throw new ResponseStatusException(HttpStatus.UNAUTHORIZED);
        }
        return userId;
    }
}

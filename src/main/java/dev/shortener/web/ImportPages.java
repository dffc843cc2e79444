package dev.shortener.web;

import dev.shortener.importing.job.DeadLetters;
import dev.shortener.importing.job.ImportJobs;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Administrators' view of bulk imports: the latest jobs, with live progress from the jobs' event
 * streams ({@code /imports/{id}/events}, read by the page's script), and dead letters to replay.
 */
@Controller
class ImportPages {

    private static final int LIST_SIZE = 50;

    private final ImportJobs jobs;
    private final DeadLetters deadLetters;

    ImportPages(ImportJobs jobs, DeadLetters deadLetters) {
        this.jobs = jobs;
        this.deadLetters = deadLetters;
    }

    @GetMapping("/-/admin/imports")
    String imports(Model model) {
        model.addAttribute("jobs", jobs.recent(LIST_SIZE));
        model.addAttribute("deadLetters", deadLetters.latest(LIST_SIZE));
        return "admin-imports";
    }

    @PostMapping("/-/admin/imports/dead-letters/{id}/replay")
    String replay(@PathVariable long id, RedirectAttributes flash) {
        String notice = switch (deadLetters.replay(id, null)) {
            case DeadLetters.Imported imported ->
                "Line " + imported.letter().line() + " of job " + imported.job().id() + " is imported.";
            case DeadLetters.FailedAgain failed ->
                "Line " + failed.letter().line() + " was refused again: "
                        + failed.letter().reason();
            case DeadLetters.Unreadable unreadable -> "The row cannot be read: " + unreadable.problem();
            case DeadLetters.NotFound notFound -> "That dead letter is gone already.";
        };
        flash.addFlashAttribute("notice", notice);
        return "redirect:/-/admin/imports";
    }
}

package dev.shortener.web;

import dev.shortener.platform.Problems;
import dev.shortener.platform.Refused;
import jakarta.servlet.http.HttpServletResponse;
import java.beans.PropertyEditorSupport;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.InitBinder;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.server.ResponseStatusException;

/** A page's errors as a friendly page, never the API's problem details or a stack trace. */
@ControllerAdvice(basePackageClasses = PageErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class PageErrors {

    @ExceptionHandler(ResponseStatusException.class)
    String status(ResponseStatusException e, Model model, HttpServletResponse response) {
        HttpStatus status = HttpStatus.valueOf(e.getStatusCode().value());
        return page(status, status == HttpStatus.NOT_FOUND ? "There is nothing here." : e.getReason(), model, response);
    }

    /** The API's problems met on a page (a rate limit, an unavailable database): their status and detail. */
    @ExceptionHandler(ErrorResponseException.class)
    String problem(ErrorResponseException e, Model model, HttpServletResponse response) {
        e.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        return page(HttpStatus.valueOf(e.getStatusCode().value()), e.getBody().getDetail(), model, response);
    }

    @ExceptionHandler(Refused.class)
    String refused(Refused e, Model model, HttpServletResponse response) {
        return problem(Problems.of(e), model, response);
    }

    /** A NUL character, which PostgreSQL refuses in text, is a bad value like any other (400 page). */
    @InitBinder
    void refuseNulCharacters(WebDataBinder binder) {
        binder.registerCustomEditor(String.class, new PropertyEditorSupport() {
            @Override
            public void setAsText(@Nullable String text) {
                if (text != null && text.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("a NUL character");
                }
                setValue(text);
            }
        });
    }

    @ExceptionHandler(DataAccessException.class)
    String database(DataAccessException e, Model model, HttpServletResponse response) {
        return page(
                HttpStatus.SERVICE_UNAVAILABLE, "The database did not answer; try again in a moment.", model, response);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    String badParameter(MethodArgumentTypeMismatchException e, Model model, HttpServletResponse response) {
        return page(HttpStatus.BAD_REQUEST, "The address has a wrong value for " + e.getName() + ".", model, response);
    }

    private static String page(HttpStatus status, @Nullable String detail, Model model, HttpServletResponse response) {
        response.setStatus(status.value());
        model.addAttribute("status", status.value());
        model.addAttribute("heading", status.getReasonPhrase());
        model.addAttribute("detail", detail == null ? status.getReasonPhrase() : detail);
        return "error";
    }
}

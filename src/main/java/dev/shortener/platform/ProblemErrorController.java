package dev.shortener.platform;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised outside Spring MVC (by the servlet container or a filter) are forwarded to
 * {@code /error}; they get the same problem-details JSON, never an HTML page.
 */
@RestController
@Hidden
@Metered(Metered.Budget.NONE)
class ProblemErrorController implements ErrorController {

    @RequestMapping(
            value = "/error",
            produces = {})
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // a request for /error itself, not a forwarded error, names no resource
        int status = code instanceof Integer i ? i : HttpStatus.NOT_FOUND.value();
        HttpStatusCode statusCode = HttpStatusCode.valueOf(status);
        HttpStatus known = HttpStatus.resolve(status);
        String detail = status == 404 ? "No resource at this path" : known != null ? known.getReasonPhrase() : "Error";
        ProblemDetail problem = Problems.complete(ProblemDetail.forStatusAndDetail(statusCode, detail));
        return ResponseEntity.status(statusCode)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}

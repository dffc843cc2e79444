package dev.shortener.platform;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.ObjectMapper;

/**
 * The one error contract: RFC 9457 problem details with a stable {@code type} URI per problem, a
 * one-line {@code error} and, for field errors, an {@code errors} map of field to message.
 */
public final class Problems {

    private static final String TYPE_PREFIX = "urn:shortener:problem:";

    private Problems() {}

    public static ErrorResponseException badRequest(String detail) {
        return problem(HttpStatus.BAD_REQUEST, detail);
    }

    public static ErrorResponseException notFound(String detail) {
        return problem(HttpStatus.NOT_FOUND, detail);
    }

    public static ErrorResponseException conflict(String detail) {
        return problem(HttpStatus.CONFLICT, detail);
    }

    public static ErrorResponseException unavailable(String detail) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, detail);
    }

    /** The problem that answers what the domain refused. */
    public static ErrorResponseException of(Refused refused) {
        HttpStatus status = switch (refused.reason()) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case TAKEN -> HttpStatus.CONFLICT;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
        return problem(status, refused.getMessage());
    }

    /** 422 with one message per invalid field. */
    public static ErrorResponseException invalidFields(Map<String, String> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, summary(errors));
        problem.setType(type(HttpStatus.UNPROCESSABLE_CONTENT));
        problem.setTitle("Invalid fields");
        problem.setProperty("error", summary(errors));
        problem.setProperty("errors", Map.copyOf(errors));
        return new ErrorResponseException(HttpStatus.UNPROCESSABLE_CONTENT, problem, null);
    }

    public static ErrorResponseException problem(HttpStatusCode status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        complete(problem);
        return new ErrorResponseException(status, problem, null);
    }

    /** Fills {@code type}, {@code title} and {@code error} where a problem lacks them. */
    public static ProblemDetail complete(ProblemDetail problem) {
        HttpStatusCode status = HttpStatusCode.valueOf(problem.getStatus());
        if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
            problem.setType(type(status));
        }
        HttpStatus known = HttpStatus.resolve(problem.getStatus());
        if (problem.getTitle() == null) {
            problem.setTitle(known != null ? known.getReasonPhrase() : "Error");
        }
        if (problem.getDetail() == null) {
            problem.setDetail(problem.getTitle());
        }
        Map<String, Object> properties = problem.getProperties();
        if (properties == null || !properties.containsKey("error")) {
            problem.setProperty("error", firstLine(problem.getDetail()));
        }
        return problem;
    }

    /** Writes a problem straight to a response, for code that runs before Spring MVC (filters). */
    public static void write(HttpServletResponse response, ObjectMapper json, HttpStatus status, String detail)
            throws IOException {
        ProblemDetail problem = complete(ProblemDetail.forStatusAndDetail(status, detail));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", String.valueOf(problem.getType()));
        body.put("title", String.valueOf(problem.getTitle()));
        body.put("status", problem.getStatus());
        body.put("detail", detail);
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), body);
    }

    static URI type(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        String slug = known == null
                ? "http-" + status.value()
                : switch (known) {
                    case BAD_REQUEST -> "bad-request";
                    case NOT_FOUND -> "not-found";
                    case METHOD_NOT_ALLOWED -> "method-not-allowed";
                    case CONFLICT -> "conflict";
                    case CONTENT_TOO_LARGE -> "payload-too-large";
                    case UNSUPPORTED_MEDIA_TYPE -> "unsupported-media-type";
                    case NOT_ACCEPTABLE -> "not-acceptable";
                    case UNPROCESSABLE_CONTENT -> "invalid-fields";
                    case TOO_MANY_REQUESTS -> "too-many-requests";
                    case SERVICE_UNAVAILABLE -> "service-unavailable";
                    case INTERNAL_SERVER_ERROR -> "internal-error";
                    default -> known.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
                };
        return URI.create(TYPE_PREFIX + slug);
    }

    private static String summary(Map<String, String> errors) {
        if (errors.size() == 1) {
            var only = errors.entrySet().iterator().next();
            return only.getKey() + " " + only.getValue();
        }
        return "Invalid fields: " + String.join(", ", errors.keySet());
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}

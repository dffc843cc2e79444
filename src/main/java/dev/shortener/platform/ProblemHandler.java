package dev.shortener.platform;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.util.ClassUtils;
import org.springframework.validation.FieldError;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/** Turns every exception that reaches the web layer into a problem-details JSON body. */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e) {
        boolean pathVariable =
                e.getParameter().hasParameterAnnotation(org.springframework.web.bind.annotation.PathVariable.class);
        if (pathVariable) {
            // /users/abc names no resource: the route only knows integer ids
            return respond(Problems.notFound("No resource at this path: " + e.getName() + " must be an integer"));
        }
        return respond(Problems.badRequest(e.getName() + " " + rule(e.getRequiredType())));
    }

    /** A query bound to a record ({@link PageRequest}) that does not convert or validate. */
    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        FieldError error = ex.getBindingResult().getFieldError();
        if (error == null) {
            return respond(Problems.badRequest("Invalid query parameters"));
        }
        TypeMismatchException mismatch = error.isBindingFailure() ? error.unwrap(TypeMismatchException.class) : null;
        String detail = mismatch != null
                ? error.getField() + " " + rule(mismatch.getRequiredType())
                : String.valueOf(error.getDefaultMessage());
        return respond(Problems.badRequest(detail));
    }

    private static String rule(@Nullable Class<?> type) {
        if (type != null && Number.class.isAssignableFrom(ClassUtils.resolvePrimitiveIfNecessary(type))) {
            return "must be an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "must be true or false";
        }
        return "has an invalid value";
    }

    @ExceptionHandler(Refused.class)
    ResponseEntity<Object> refused(Refused e) {
        return respond(Problems.of(e));
    }

    @ExceptionHandler({
        CannotCreateTransactionException.class,
        CannotGetJdbcConnectionException.class,
        DataAccessResourceFailureException.class,
        QueryTimeoutException.class,
        TransientDataAccessException.class
    })
    ResponseEntity<Object> databaseUnavailable(Exception e) {
        log.warn("Database unavailable: {}", e.getMessage());
        return respond(Problems.unavailable("The database is unavailable or too slow; try again shortly"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) {
        log.error("Unexpected error", e);
        return respond(Problems.problem(HttpStatus.INTERNAL_SERVER_ERROR, "An unexpected error occurred"));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMaxUploadSizeExceededException(
            MaxUploadSizeExceededException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return respond(Problems.problem(HttpStatus.CONTENT_TOO_LARGE, "The upload is larger than the allowed size"));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (ex.getMostSpecificCause() instanceof BodyLimit.TooLarge tooLarge) {
            return respond(Problems.problem(HttpStatus.CONTENT_TOO_LARGE, tooLarge.getMessage()));
        }
        // a missing body (Spring's own check) is answered as the reader answers an empty one
        return respond(Problems.badRequest("The request body must be a JSON object; it was empty or unreadable"));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMediaTypeNotSupported(
            HttpMediaTypeNotSupportedException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // The contract answers an unreadable body with 400 whatever its Content-Type.
        return respond(Problems.badRequest("Unsupported request body: " + ex.getMessage()));
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<Object> multipart(MultipartException e) {
        if (e instanceof MaxUploadSizeExceededException) {
            return respond(
                    Problems.problem(HttpStatus.CONTENT_TOO_LARGE, "The upload is larger than the allowed size"));
        }
        return respond(Problems.badRequest("Expected a multipart/form-data upload with a 'file' part"));
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(
            @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail p ? p : ProblemDetail.forStatus(status);
        Problems.complete(problem);
        HttpHeaders out = new HttpHeaders();
        out.putAll(headers);
        out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(problem, out, status);
    }

    private static ResponseEntity<Object> respond(ErrorResponse error) {
        ProblemDetail problem = Problems.complete(error.getBody());
        return ResponseEntity.status(error.getStatusCode())
                .headers(error.getHeaders())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}

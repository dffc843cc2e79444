package dev.shortener.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.ObjectMapper;

/**
 * Request bodies of at most {@code MAX_JSON_BODY} (64 KB): every route reads a small JSON object
 * or a small form, so a larger body is refused with 413 before it is buffered. Only the import
 * routes take uploads, under {@code IMPORT_MAX_FILE_SIZE}; an upload to any other route is just a
 * body that is not JSON (the contract's 400). Ordered before Spring Security and the form-content
 * filter, which read a form's body when they look up a parameter (the CSRF token, say). A page's
 * form past the limit gets a page.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
class BodyLimit extends OncePerRequestFilter {

    /** Thrown when a body without a declared length grows past the limit while it is read. */
    static final class TooLarge extends IOException {
        TooLarge(long limit) {
            super("The request body is larger than " + limit + " bytes");
        }
    }

    private final long limit;
    private final ObjectMapper json;

    BodyLimit(@Value("${shortener.http.max-json-body:64KB}") DataSize limit, ObjectMapper json) {
        this.limit = limit.toBytes();
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String type = request.getContentType();
        return "POST".equals(request.getMethod())
                && request.getRequestURI().endsWith("/bulk")
                && type != null
                && type.toLowerCase(java.util.Locale.ROOT).startsWith(MediaType.MULTIPART_FORM_DATA_VALUE);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            if (SecurityHeaders.pagePath(request.getRequestURI())) {
                ErrorPage.write(
                        response,
                        HttpStatus.CONTENT_TOO_LARGE,
                        "This form is too large",
                        "A form of the application takes at most " + limit / 1024 + " KB. Go back and shorten it.");
            } else {
                Problems.write(
                        response,
                        json,
                        HttpStatus.CONTENT_TOO_LARGE,
                        "The request body is larger than " + limit + " bytes");
            }
            return;
        }
        chain.doFilter(new Limited(request, limit), response);
    }

    /** The request with a body that stops at the limit. */
    private static final class Limited extends HttpServletRequestWrapper {
        private final long limit;
        private ServletInputStream body;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (body == null) {
                ServletInputStream in = super.getInputStream();
                body = new ServletInputStream() {
                    private long read;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        count(b < 0 ? 0 : 1);
                        return b;
                    }

                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        int n = in.read(buffer, offset, length);
                        count(Math.max(n, 0));
                        return n;
                    }

                    private void count(int n) throws TooLarge {
                        read += n;
                        if (read > limit) {
                            throw new TooLarge(limit);
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return body;
        }
    }
}

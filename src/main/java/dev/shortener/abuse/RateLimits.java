package dev.shortener.abuse;

import dev.shortener.identity.Caller;
import dev.shortener.platform.Metered;
import dev.shortener.platform.Metered.Budget;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The application's rate limits: every handler of this service draws on a budget ({@link
 * Metered}) before it runs, per user (all their keys and sessions) or operator key, else per client
 * address (after the trusted-proxy rules). The open mode's anonymous caller is not limited but for
 * sign-in attempts and lookups of unknown codes, which the redirect endpoint asks for itself ({@link
 * #unknownCode}).
 */
@Component
public class RateLimits implements HandlerInterceptor, WebMvcConfigurer {

    private final RateLimiter limiter;

    RateLimits(RateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method)
                || !method.getBeanType().getPackageName().startsWith("dev.shortener")) {
            return true; // API documentation, actuator endpoints
        }
        Budget budget = budget(method, request);
        Caller caller = Caller.current();
        // the open mode's anonymous API is unmetered, but guessing passwords and keys is not
        if (budget == Budget.NONE || caller == Caller.ANONYMOUS && budget != Budget.SIGN_IN) {
            return true;
        }
        String who = budget == Budget.SIGN_IN ? address(request) : caller.accountable(request.getRemoteAddr());
        RateLimiter.Outcome outcome = limiter.take(budget, who);
        if (outcome == null) {
            return true;
        }
        if (!outcome.allowed()) {
            throw RateLimiter.refusal(outcome);
        }
        outcome.describe(response::setHeader);
        return true;
    }

    /** Counts a lookup of a code that does not exist; a 429 problem when the caller scans. */
    public void unknownCode(HttpServletRequest request) {
        RateLimiter.Outcome outcome =
                limiter.take(Budget.UNKNOWN_CODES, Caller.current().accountable(request.getRemoteAddr()));
        if (outcome != null && !outcome.allowed()) {
            throw RateLimiter.refusal(outcome);
        }
    }

    private static Budget budget(HandlerMethod method, HttpServletRequest request) {
        Metered metered = method.getMethodAnnotation(Metered.class);
        if (metered == null) {
            metered = method.getBeanType().getAnnotation(Metered.class);
        }
        if (metered != null) {
            return metered.value();
        }
        String verb = request.getMethod();
        return "GET".equals(verb) || "HEAD".equals(verb) ? Budget.READS : Budget.WRITES;
    }

    private static String address(HttpServletRequest request) {
        return "ip:" + request.getRemoteAddr();
    }
}

package dev.shortener.platform;

/**
 * What the domain refuses to do, thrown below the web layer (repositories and services): the API
 * answers it as a problem and the pages as an error page, with the status {@link Problems#of} gives.
 */
public class Refused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why: a thing that does not exist, a name that is taken, or no way to do it just now. */
    public enum Reason {
        NOT_FOUND,
        TAKEN,
        UNAVAILABLE
    }

    private final Reason reason;

    public Refused(Reason reason, String message) {
        // an answer to a client, not a failure: no stack trace to fill
        super(message, null, false, false);
        this.reason = reason;
    }

    public static Refused notFound(String message) {
        return new Refused(Reason.NOT_FOUND, message);
    }

    public static Refused taken(String message) {
        return new Refused(Reason.TAKEN, message);
    }

    public static Refused unavailable(String message) {
        return new Refused(Reason.UNAVAILABLE, message);
    }

    public Reason reason() {
        return reason;
    }
}

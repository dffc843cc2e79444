package dev.shortener.importing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Server-Sent Events client over java.net.http, as a browser's EventSource reads a stream:
 * lines {@code id:}, {@code event:} and {@code data:} make an event, a blank line dispatches it.
 */
public final class EventStream implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Event END = new Event("", "", "", 0);

    /** One event: its id, name, data, and when it arrived ({@link System#nanoTime()}). */
    public record Event(String id, String name, String data, long receivedAt) {

        public long version() {
            return Long.parseLong(id);
        }

        public JsonNode job() {
            return JSON.readTree(data);
        }

        public boolean isFinal() {
            return name.equals("completed") || name.equals("failed");
        }
    }

    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    /** {@link System#nanoTime()} at which the server ended the stream; 0 while it is open. */
    private volatile long endedAt;

    private EventStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = Thread.ofVirtual().start(this::read);
    }

    /** Opens the stream of {@code url}, with extra request headers (e.g. Last-Event-ID). */
    public static EventStream open(String url, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
        headers.forEach(request::header);
        try {
            HttpResponse<Stream<String>> response = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build()
                    .send(request.GET().build(), HttpResponse.BodyHandlers.ofLines());
            return new EventStream(response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    String contentType() {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    private void read() {
        String id = "";
        String name = "message";
        StringBuilder data = new StringBuilder();
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(id, name, data.toString(), System.nanoTime()));
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).strip());
                }
            }
        } catch (RuntimeException e) {
            // the stream was closed
        } finally {
            endedAt = System.nanoTime();
            events.add(END);
        }
    }

    /** The next event, or null when the stream ended or nothing came in time. */
    public Event next(Duration timeout) throws InterruptedException {
        Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == END) {
            events.add(END);
            return null;
        }
        return event;
    }

    /** Every event up to and including the final one (completed or failed). */
    public List<Event> untilFinal(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Event> received = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            Event event = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (event == null) {
                break;
            }
            received.add(event);
            if (event.isFinal()) {
                break;
            }
        }
        return received;
    }

    /** When the server ended the stream ({@link System#nanoTime()}), 0 while it is open. */
    public long endedAt() {
        return endedAt;
    }

    /** Whether the server ended the stream (after the final event). */
    public boolean ended(Duration timeout) throws InterruptedException {
        reader.join(timeout);
        return !reader.isAlive();
    }

    @Override
    public void close() {
        reader.interrupt();
        try {
            response.body().close();
        } catch (RuntimeException e) {
            // already closed
        }
    }

    /** Event ids and the rows processed never go down from one event to the next. */
    public static void assertNeverGoBack(List<Event> events) {
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).version())
                    .isGreaterThanOrEqualTo(events.get(i - 1).version());
            assertThat(events.get(i).job().get("rows_processed").asLong())
                    .isGreaterThanOrEqualTo(
                            events.get(i - 1).job().get("rows_processed").asLong());
        }
    }
}

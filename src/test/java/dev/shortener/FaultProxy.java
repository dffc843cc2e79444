package dev.shortener;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.springframework.core.env.Environment;

/**
 * A TCP proxy on loopback that injects Toxiproxy's faults between the application and one of its
 * dependencies: {@link Fault#DOWN} (connections cut, new ones closed at once), {@link Fault#RESET}
 * (cut with a TCP reset), {@link Fault#BLACKHOLE} (connections stay open and nothing passes until
 * the fault ends, when what was sent meanwhile arrives, as TCP retransmits it through a real
 * blackhole; new connections never reach the server), {@link
 * #latency} (every chunk delayed, in each direction) and {@link #bandwidth} (bytes per second). {@link #heal()} lets
 * everything through again.
 */
public final class FaultProxy implements AutoCloseable {

    /** A fault and its parameter (a delay in ms, or bytes per second). */
    public record Fault(String name, long amount) {
        public static final Fault NONE = new Fault("none", 0);
        public static final Fault DOWN = new Fault("down", 0);
        public static final Fault RESET = new Fault("reset", 0);
        public static final Fault BLACKHOLE = new Fault("blackhole", 0);

        @Override
        public String toString() {
            return amount == 0 ? name : name + " " + amount;
        }
    }

    public static Fault latency(Duration delay) {
        return new Fault("latency ms", delay.toMillis());
    }

    public static Fault bandwidth(long bytesPerSecond) {
        return new Fault("bandwidth B/s", bytesPerSecond);
    }

    private final String host;
    private final int port;
    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Connections made while blackholed: never connected through, as if their packets vanished. */
    private final Set<Socket> held = ConcurrentHashMap.newKeySet();

    private final Map<String, String> route;

    private volatile Fault fault = Fault.NONE;

    private FaultProxy(URI target, String property, String scheme) throws IOException {
        this.host = target.getHost();
        this.port = target.getPort();
        this.listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        String path = target.getRawPath() == null ? "" : target.getRawPath();
        String query = target.getRawQuery() == null ? "" : "?" + target.getRawQuery();
        this.route = Map.of(property, scheme + "://127.0.0.1:" + port() + path + query);
        threads.execute(this::accept);
    }

    /** A proxy in front of the tests' PostgreSQL. */
    public static FaultProxy inFrontOfPostgres(Environment env) throws IOException {
        String url = env.getRequiredProperty("spring.datasource.url").substring("jdbc:".length());
        return new FaultProxy(URI.create(url), "spring.datasource.url", "jdbc:postgresql");
    }

    /** A proxy in front of the tests' Redis. */
    public static FaultProxy inFrontOfRedis(Environment env) throws IOException {
        URI redis = URI.create(env.getRequiredProperty("spring.data.redis.url"));
        return new FaultProxy(redis, "spring.data.redis.url", redis.getScheme());
    }

    /** The setting that sends an instance's connections through this proxy. */
    public Map<String, String> route() {
        return route;
    }

    private int port() {
        return listener.getLocalPort();
    }

    /** From now on, {@code fault}; down and reset also cut what is open. */
    public void inject(Fault injected) {
        fault = injected;
        if (injected == Fault.DOWN || injected == Fault.RESET) {
            open.forEach(socket -> close(socket, injected == Fault.RESET));
        }
    }

    public void heal() {
        synchronized (this) {
            fault = Fault.NONE;
            notifyAll();
        }
        // their clients have timed out or will: nothing they sent ever arrived
        held.forEach(socket -> close(socket, true));
        held.clear();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Fault now = fault;
                if (now == Fault.DOWN || now == Fault.RESET) {
                    close(client, now == Fault.RESET);
                    continue;
                }
                if (now == Fault.BLACKHOLE) {
                    // not passed on: a server behind a real blackhole never sees the attempt
                    held.add(client);
                    continue;
                }
                Socket server = new Socket(host, port);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                open.add(client);
                open.add(server);
                threads.execute(() -> pump(client, server));
                threads.execute(() -> pump(server, client));
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    /** Copies one direction, applying the fault in force to each chunk as it passes. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                awaitNoBlackhole();
                Fault now = fault;
                // the delay is the fault being injected, not a wait for a condition
                if (now.name().startsWith("latency")) {
                    TimeUnit.MILLISECONDS.sleep(now.amount());
                } else if (now.name().startsWith("bandwidth")) {
                    TimeUnit.NANOSECONDS.sleep(read * 1_000_000_000L / now.amount());
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side went away (or was cut): the other goes too
        } finally {
            close(from, false);
            close(to, false);
        }
    }

    /** Holds what passes while blackholed: it is sent, late, once the fault ends. */
    private synchronized void awaitNoBlackhole() throws InterruptedException {
        while (fault == Fault.BLACKHOLE && !listener.isClosed()) {
            wait();
        }
    }

    private void close(Socket socket, boolean reset) {
        open.remove(socket);
        try {
            if (reset && !socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (this) {
            notifyAll();
        }
        open.forEach(socket -> close(socket, false));
        held.forEach(socket -> close(socket, false));
        threads.shutdownNow();
    }
}

package dev.shortener.event;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;

/**
 * A TCP proxy in front of PostgreSQL with two faults. Armed with a command tag, it cuts the
 * connection where the server's CommandComplete for that command would pass, without forwarding
 * it: with {@code COMMIT} the transaction has committed and the client never hears so; with
 * {@code COPY} the transaction is still open when its connection goes. {@link #down()} cuts every
 * connection and refuses new ones until {@link #up()}, as a PostgreSQL that stopped. Clients must
 * connect with {@code sslmode=disable} and {@code gssEncMode=disable}, so that every server
 * message is framed.
 */
public final class PostgresProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final String host;
    private final int port;
    private final URI database;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicReference<@Nullable String> armed = new AtomicReference<>();
    private final AtomicBoolean dropped = new AtomicBoolean();

    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean down;

    private PostgresProxy(String host, int port, URI database) throws IOException {
        this.host = host;
        this.port = port;
        this.database = database;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /** A proxy in front of the application's database, as {@code spring.datasource.url} names it. */
    public static PostgresProxy inFrontOf(Environment env) throws IOException {
        URI database =
                URI.create(env.getRequiredProperty("spring.datasource.url").substring("jdbc:".length()));
        return new PostgresProxy(database.getHost(), database.getPort(), database);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The database's JDBC URL through this proxy, with the settings that keep every message framed. */
    public String jdbcUrl() {
        String query = database.getQuery() == null ? "" : database.getQuery() + "&";
        return "jdbc:postgresql://127.0.0.1:" + port() + database.getPath() + "?" + query
                + "sslmode=disable&gssEncMode=disable";
    }

    /** Cuts every connection and refuses new ones. */
    public void down() {
        down = true;
        open.forEach(PostgresProxy::close);
    }

    /** Takes connections again. */
    public void up() {
        down = false;
    }

    /** Drops the connection at the next CommandComplete whose tag starts with {@code tag}. */
    void dropAnswerTo(String tag) {
        armed.set(tag);
    }

    /** Whether an armed answer was dropped. */
    boolean dropped() {
        return dropped.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (down) {
                    close(client);
                    continue;
                }
                Socket server = new Socket(host, port);
                open.add(client);
                open.add(server);
                if (down) {
                    // down() came while this one connected, and may have closed the others before it was added
                    closeBoth(client, server);
                    continue;
                }
                threads.execute(() -> requests(client, server));
                threads.execute(() -> answers(server, client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void requests(Socket client, Socket server) {
        try (InputStream in = client.getInputStream();
                OutputStream out = server.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side went away: the other is closed below
        } finally {
            closeBoth(client, server);
        }
    }

    /** Server messages are a type byte, a length that counts itself, then the body. */
    private void answers(Socket server, Socket client) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(server.getInputStream()));
                DataOutputStream out = new DataOutputStream(client.getOutputStream())) {
            int type;
            while ((type = in.read()) >= 0) {
                int length = in.readInt();
                byte[] body = in.readNBytes(length - 4);
                String tag = armed.get();
                if (type == 'C'
                        && tag != null
                        && new String(body, StandardCharsets.US_ASCII).startsWith(tag)
                        && armed.compareAndSet(tag, null)) {
                    dropped.set(true);
                    return;
                }
                out.writeByte(type);
                out.writeInt(length);
                out.write(body);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away: the other is closed below
        } finally {
            closeBoth(client, server);
        }
    }

    private void closeBoth(Socket one, Socket other) {
        close(one);
        close(other);
        open.remove(one);
        open.remove(other);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        threads.shutdownNow();
    }
}

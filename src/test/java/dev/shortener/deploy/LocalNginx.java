package dev.shortener.deploy;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real nginx on loopback running the shipped proxy pieces ({@code deploy/nginx}) in front of two
 * replicas on local ports, as the compose stack runs them in front of app1 and app2.
 */
public final class LocalNginx implements AutoCloseable {

    private final Process process;
    private final int port;
    private final int statusPort;

    private LocalNginx(Process process, int port, int statusPort) {
        this.process = process;
        this.port = port;
        this.statusPort = statusPort;
    }

    /** Starts nginx with its files under {@code home}, in front of the replicas on {@code first} and {@code second}. */
    public static LocalNginx start(Path home, int first, int second) throws IOException {
        DeployFiles.requireTool("nginx", "apt-get install -y nginx");
        int port = DeployFiles.freePort();
        int statusPort = DeployFiles.freePort();
        Path pieces = Files.createDirectories(home.resolve("shortener"));
        for (String piece : List.of("http.conf", "app.conf", "status.conf", "security-headers.conf", "real-ip.conf")) {
            Files.copy(DeployFiles.root().resolve("deploy/nginx").resolve(piece), pieces.resolve(piece));
        }
        Files.writeString(
                home.resolve("upstream.conf"),
                DeployFiles.read("deploy/nginx/upstream.conf")
                        .replace("app1:8080", "127.0.0.1:" + first)
                        .replace("app2:8080", "127.0.0.1:" + second));
        Files.createDirectories(home.resolve("temp"));
        Files.createDirectories(home.resolve("logs"));
        Files.writeString(home.resolve("nginx.conf"), """
                worker_processes 1;
                error_log %1$s/logs/error.log warn;
                pid %1$s/nginx.pid;
                events { worker_connections 4096; }
                http {
                    client_body_temp_path %1$s/temp/body;
                    proxy_temp_path %1$s/temp/proxy;
                    fastcgi_temp_path %1$s/temp/fastcgi;
                    uwsgi_temp_path %1$s/temp/uwsgi;
                    scgi_temp_path %1$s/temp/scgi;
                    include shortener/http.conf;
                    include upstream.conf;
                    access_log %1$s/logs/access.log json;
                    server { listen 127.0.0.1:%2$d; include shortener/app.conf; }
                    server { listen 127.0.0.1:%3$d; include shortener/status.conf; }
                }
                """.formatted(home, port, statusPort));
        Process process = new ProcessBuilder(
                        "nginx",
                        "-p",
                        home.toString(),
                        "-c",
                        home.resolve("nginx.conf").toString(),
                        "-g",
                        "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("logs/nginx.out").toFile())
                .start();
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .alias("nginx listening (see " + home.resolve("logs/nginx.out") + ")")
                .until(() -> listening(port));
        return new LocalNginx(process, port, statusPort);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The base URL of the public side, for {@code Api}. */
    public String base() {
        return "http://127.0.0.1:" + port;
    }

    public int statusPort() {
        return statusPort;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return socket.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

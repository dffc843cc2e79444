package dev.shortener.redirect;

import java.io.IOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/** A Redis of a test's own on a free port, not started, that keeps nothing on disk. */
record OwnRedis(int port, RedisServer server) {

    static OwnRedis onAFreePort() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RedisServer server = RedisServer.newRedisServer()
                .bind("127.0.0.1")
                .port(port)
                .setting("save \"\"")
                .setting("appendonly no")
                .onShutdownForceStop(true)
                .build();
        return new OwnRedis(port, server);
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }
}

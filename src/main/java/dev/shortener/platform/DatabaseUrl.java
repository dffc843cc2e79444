package dev.shortener.platform;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;

/**
 * Reads the database location the way the contract's template does: {@code DATABASE_URL} (either
 * {@code postgresql://user:pass@host:port/db} or a JDBC URL), or {@code DATABASE_HOST}, {@code
 * DATABASE_PORT}, {@code DATABASE_NAME}, {@code DATABASE_USER}, {@code DATABASE_PASSWORD}.
 */
final class DatabaseUrl {

    private DatabaseUrl() {}

    /** The JDBC URL of an external database, or null when none is configured. */
    static @Nullable String jdbcUrl(Environment env) {
        String explicit = env.getProperty("spring.datasource.url", "");
        if (!explicit.isBlank()) {
            return explicit;
        }
        String url = env.getProperty("DATABASE_URL", "");
        if (!url.isBlank()) {
            if (url.startsWith("jdbc:")) {
                return url;
            }
            URI uri = URI.create(url);
            int port = uri.getPort() == -1 ? 5432 : uri.getPort();
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return "jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath() + query;
        }
        String host = env.getProperty("DATABASE_HOST", "");
        if (host.isBlank()) {
            return null;
        }
        return "jdbc:postgresql://" + host + ":" + env.getProperty("DATABASE_PORT", "5432") + "/"
                + env.getProperty("DATABASE_NAME", "hackathon_db");
    }

    /** User and password from {@code DATABASE_USER}/{@code DATABASE_PASSWORD} or the URL's user info. */
    static Map<String, Object> credentials(Environment env) {
        Map<String, Object> props = new LinkedHashMap<>();
        String url = env.getProperty("DATABASE_URL", "");
        if (!url.isBlank() && !url.startsWith("jdbc:")) {
            String userInfo = URI.create(url).getRawUserInfo();
            if (userInfo != null) {
                String[] parts = userInfo.split(":", 2);
                props.put("spring.datasource.username", decode(parts[0]));
                if (parts.length == 2) {
                    props.put("spring.datasource.password", decode(parts[1]));
                }
            }
        }
        String user = env.getProperty("DATABASE_USER");
        if (user != null) {
            props.put("spring.datasource.username", user);
        }
        String password = env.getProperty("DATABASE_PASSWORD");
        if (password != null) {
            props.put("spring.datasource.password", password);
        }
        if (!props.containsKey("spring.datasource.username") && env.getProperty("spring.datasource.username") == null) {
            props.put("spring.datasource.username", "postgres");
        }
        return props;
    }

    static String redacted(String jdbcUrl) {
        return jdbcUrl.replaceAll("password=[^&]*", "password=***");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}

package dev.shortener;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.serializer.JdkSerializationRedisSerializer;

/** Ages a browser session where every instance reads it: its creation time in Redis. */
public final class SessionAge {

    private static final JdkSerializationRedisSerializer VALUES = new JdkSerializationRedisSerializer();

    private SessionAge() {}

    /**
     * Moves the creation of the session that {@code cookieValue} (the session cookie's value) names
     * back by {@code age}; signing in starts a new session, so this is how long ago it signed in.
     */
    public static void setBack(StringRedisTemplate redis, String cookieValue, Duration age) {
        String id = new String(Base64.getDecoder().decode(cookieValue), StandardCharsets.UTF_8);
        byte[] key = ("spring:session:sessions:" + id).getBytes(StandardCharsets.UTF_8);
        byte[] field = "creationTime".getBytes(StandardCharsets.UTF_8);
        redis.execute(
                connection -> {
                    Object created =
                            VALUES.deserialize(connection.hashCommands().hGet(key, field));
                    assertThat(created).as("the session's creation in Redis").isInstanceOf(Long.class);
                    connection.hashCommands().hSet(key, field, VALUES.serialize((Long) created - age.toMillis()));
                    return null;
                },
                true);
    }
}

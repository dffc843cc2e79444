package dev.shortener.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.KeysMode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** A user's key walks only that user's links and their events by cursor, as by page. */
@KeysMode
class OwnedCursorPagesTest {

    @LocalServerPort
    private int port;

    @Test
    void aUserWalksOnlyTheirOwnLinksAndEventsByCursor() {
        Api anonymous = new Api("http://127.0.0.1:" + port);
        Keys keys = new Keys(anonymous);
        long mine = keys.newUser();
        long theirs = keys.newUser();
        long myLink = keys.newLink(mine).get("id").asLong();
        long theirLink = keys.newLink(theirs).get("id").asLong();
        Api me = anonymous.withKey(keys.userKey(mine));

        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(field(me.get("/urls?after=0&per_page=1000"), "id"))
                        .containsExactly(myLink));
        assertThat(field(me.get("/events?after=0&per_page=1000"), "url_id"))
                .isNotEmpty()
                .containsOnly(myLink);
        assertThat(field(me.get("/events?url_id=" + theirLink + "&after=0"), "id"))
                .isEmpty();
        me.get("/urls?user_id=" + theirs + "&after=0").expect(403);
    }

    private static List<Long> field(Api.Response page, String name) {
        JsonNode items = page.expect(200).json();
        return items.valueStream().map(item -> item.get(name).asLong()).toList();
    }
}

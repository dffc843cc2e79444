package dev.shortener.event;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/** Records one {@code click} event per successful redirect. */
@Component
public class ClickRecorder {

    private final JdbcClient db;
    private final ObjectMapper json;

    ClickRecorder(JdbcClient db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    public void record(Click click) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("short_code", click.shortCode());
        details.put("original_url", click.originalUrl());
        details.put("referrer", click.referrer());
        details.put("user_agent", click.userAgent());
        db.sql("INSERT INTO events (url_id, user_id, event_type, \"timestamp\", details)"
                        + " VALUES (?, ?, 'click', ?, ?::jsonb)")
                .params(click.urlId(), click.userId(), click.at(), json.writeValueAsString(details))
                .update();
    }

    /** Makes every click recorded so far visible to queries on this instance. */
    public void flush() {
        // clicks are written synchronously
    }
}

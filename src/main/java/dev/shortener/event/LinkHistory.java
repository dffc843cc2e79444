package dev.shortener.event;

import dev.shortener.abuse.LinkBlocked;
import dev.shortener.link.Link;
import dev.shortener.link.LinkCreated;
import dev.shortener.link.LinkDeleted;
import dev.shortener.link.LinkUpdated;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records the lifecycle of links in the events log. The listeners run synchronously in the
 * transaction that changed the link, so the row and its history commit together.
 */
@Component
class LinkHistory {

    private final Events events;
    private final ObjectMapper json;

    LinkHistory(Events events, ObjectMapper json) {
        this.events = events;
        this.json = json;
    }

    @EventListener
    void created(LinkCreated created) {
        Link link = created.link();
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("short_code", link.shortCode());
        details.put("original_url", link.originalUrl());
        append(link, Event.CREATED, details, created.actor());
    }

    @EventListener
    void updated(LinkUpdated updated) {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("field", updated.field());
        details.set("new_value", json.valueToTree(updated.newValue()));
        append(updated.link(), Event.UPDATED, details, updated.actor());
    }

    @EventListener
    void deleted(LinkDeleted deleted) {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("reason", deleted.reason());
        append(deleted.link(), Event.DELETED, details, deleted.actor());
    }

    @EventListener
    void takenDownOrRestored(LinkBlocked change) {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        if (change.blocked()) {
            details.put("reason", change.reason());
        }
        events.append(
                change.urlId(),
                change.userId(),
                change.blocked() ? Event.BLOCKED : Event.UNBLOCKED,
                details,
                change.actor());
    }

    private void append(Link link, String type, ObjectNode details, String actor) {
        events.append(link.id(), link.userId(), type, details, actor);
    }
}

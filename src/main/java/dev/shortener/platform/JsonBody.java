package dev.shortener.platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request body read as a JSON object, whatever its Content-Type, with typed accessors that
 * collect one message per invalid field. A body that is not a JSON object is a 400; invalid
 * fields become one 422 when {@link #validate()} is called.
 */
public final class JsonBody {

    private final ObjectNode node;
    private final Map<String, String> errors = new LinkedHashMap<>();

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    /** Parses the raw body; anything but a JSON object is refused with 400. */
    public static JsonBody parse(byte @Nullable [] body, ObjectMapper json) {
        if (body == null || body.length == 0) {
            throw Problems.badRequest("The request body must be a JSON object; it was empty");
        }
        JsonNode tree;
        try {
            tree = json.readTree(body);
        } catch (JacksonException e) {
            throw Problems.badRequest("The request body is not valid JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw Problems.badRequest("The request body must be a JSON object");
        }
        return new JsonBody((ObjectNode) tree);
    }

    public boolean has(String field) {
        return node.has(field);
    }

    /** A required string of {@code min..max} characters (after trimming for the emptiness check). */
    public @Nullable String requiredText(String field, int max) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            errors.put(field, "is required");
            return null;
        }
        return text(field, value, max, false);
    }

    /** An optional string: absent gives null; present must be a string (or null when allowed). */
    public @Nullable String optionalText(String field, int max, boolean nullable) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        if (value.isNull()) {
            if (!nullable) {
                errors.put(field, "must not be null");
            }
            return null;
        }
        return text(field, value, max, nullable);
    }

    private @Nullable String text(String field, JsonNode value, int max, boolean mayBeEmpty) {
        if (!value.isString()) {
            errors.put(field, "must be a string");
            return null;
        }
        String text = value.stringValue();
        if (!mayBeEmpty && text.isBlank()) {
            errors.put(field, "must not be empty");
            return null;
        }
        if (text.length() > max) {
            errors.put(field, "must be at most " + max + " characters");
            return null;
        }
        return text;
    }

    /** An optional integer id; absent or null gives null. */
    public @Nullable Long optionalId(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 1) {
            errors.put(field, "must be a positive integer");
            return null;
        }
        return value.longValue();
    }

    /** A required integer id. */
    public @Nullable Long requiredId(String field) {
        if (node.get(field) == null || node.get(field).isNull()) {
            errors.put(field, "is required");
            return null;
        }
        return optionalId(field);
    }

    /** An optional boolean; absent gives null. JSON strings such as "true" are refused. */
    public @Nullable Boolean optionalBoolean(String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            errors.put(field, "must be a boolean");
            return null;
        }
        return value.booleanValue();
    }

    /** A required, non-empty array of strings. */
    public @Nullable List<String> requiredStrings(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            errors.put(field, "is required");
            return null;
        }
        if (!value.isArray() || value.isEmpty()) {
            errors.put(field, "must be a non-empty array of strings");
            return null;
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isString()) {
                errors.put(field, "must be a non-empty array of strings");
                return null;
            }
            texts.add(item.stringValue());
        }
        return texts;
    }

    /** An optional JSON object; absent or null gives an empty object. */
    public ObjectNode optionalObject(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!value.isObject()) {
            errors.put(field, "must be a JSON object");
            return JsonNodeFactory.instance.objectNode();
        }
        return (ObjectNode) value;
    }

    /** Records a rule broken by a field whose type was right. */
    public void reject(String field, String message) {
        errors.putIfAbsent(field, message);
    }

    public boolean isValid(String field) {
        return !errors.containsKey(field);
    }

    /** Throws the 422 listing every invalid field, if any. */
    public void validate() {
        if (!errors.isEmpty()) {
            throw Problems.invalidFields(errors);
        }
    }
}

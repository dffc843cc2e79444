package dev.shortener.platform;

import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ValidationException;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeanInstantiationException;
import org.springframework.beans.BeanUtils;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.AbstractHttpMessageConverter;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Reads {@link JsonRequest} records. Binding goes field by field so that a client learns every
 * invalid field at once, a wrong JSON type as well as a broken rule (the contract's 422); Spring's
 * own Jackson converter stops at the first and answers 415 to a body without a JSON Content-Type,
 * where the contract wants 400.
 */
@Component
public final class JsonRequestReader extends AbstractHttpMessageConverter<Object> {

    private final ObjectMapper strict;
    private final Validator validator;

    JsonRequestReader(ObjectMapper json, Validator validator) {
        super(MediaType.ALL);
        // "12" is not a number, 12 is not a string, 1.5 is not an id, 1 is not true.
        this.strict = json.rebuild()
                .withCoercionConfigDefaults(config -> {
                    for (CoercionInputShape shape : CoercionInputShape.values()) {
                        config.setCoercion(shape, CoercionAction.Fail);
                    }
                })
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .build();
        this.validator = validator;
    }

    @Override
    protected boolean supports(Class<?> type) {
        return type.isRecord() && type.isAnnotationPresent(JsonRequest.class);
    }

    @Override
    public boolean canWrite(Class<?> type, @Nullable MediaType mediaType) {
        return false;
    }

    @Override
    protected Object readInternal(Class<?> type, HttpInputMessage input) throws IOException {
        return read(type, input.getBody().readAllBytes());
    }

    @Override
    protected void writeInternal(Object body, HttpOutputMessage output) {
        throw new UnsupportedOperationException("request records are only read");
    }

    /** The record a body asks for, or a 400 (not a JSON object) or a 422 naming every invalid field. */
    public <T> T read(Class<T> type, byte[] body) {
        JsonNode tree = parse(body);
        RequestShape shape = shapes.get(type);
        RecordComponent[] components = shape.components();
        Object[] values = new Object[components.length];
        Map<String, String> errors = new LinkedHashMap<>();
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            String field = shape.fields().get(component.getName());
            JsonNode value = tree.get(field);
            boolean optional = component.getType() == Optional.class;
            if (value == null) {
                values[i] = component.getType() == boolean.class ? Boolean.FALSE : null;
            } else if (value.isNull()) {
                if (component.getType() == Boolean.class) {
                    errors.put(field, "must be a boolean"); // a flag is true or false, never unset
                } else if (shape.partial() && !optional) {
                    errors.put(field, "must not be null");
                }
                values[i] = optional ? Optional.empty() : null;
            } else if (containsNul(value)) {
                // PostgreSQL keeps no NUL in text or jsonb: refused here, not as a failed statement
                errors.put(field, "must not contain a NUL character");
            } else if (!value.isString() && shape.fromString()[i]) {
                // a value object is read from a string only, never from an object of its fields
                errors.put(field, "must be a string");
            } else {
                JavaType javaType = shape.types()[i];
                try {
                    Object bound = strict.treeToValue(value, javaType);
                    values[i] = optional ? Optional.ofNullable(bound) : bound;
                } catch (JacksonException e) {
                    errors.put(field, typeMessage(javaType, e));
                }
            }
        }
        T request = type.cast(construct(shape.constructor(), values));
        validate(request).stream()
                .sorted(Comparator.comparing(violation -> !isNotNull(violation)))
                .forEach(violation -> errors.putIfAbsent(
                        shape.fields().getOrDefault(rootOf(violation), "body"), violation.getMessage()));
        if (!errors.isEmpty()) {
            throw Problems.invalidFields(errors);
        }
        return request;
    }

    /**
     * A validator that could not finish (the blocklist's database is down) is rethrown as itself,
     * not as the {@link ValidationException} that wraps it, so that it is answered as what it is
     * (503), not as an unexpected error.
     */
    private <T> Set<ConstraintViolation<T>> validate(T request) {
        try {
            return validator.validate(request);
        } catch (ValidationException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw Problems.badRequest("The request body must be a JSON object; it was empty");
        }
        JsonNode tree;
        try {
            tree = strict.readTree(body);
        } catch (JacksonException e) {
            throw Problems.badRequest("The request body is not valid JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw Problems.badRequest("The request body must be a JSON object");
        }
        return tree;
    }

    private static Object construct(Constructor<?> constructor, Object[] values) {
        try {
            return BeanUtils.instantiateClass(constructor, values);
        } catch (BeanInstantiationException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    /** Worked out once per record type, not per request. */
    private final ClassValue<RequestShape> shapes = new ClassValue<>() {
        @Override
        protected RequestShape computeValue(Class<?> type) {
            return RequestShape.of(type, strict);
        }
    };

    /**
     * The message for a value of the wrong JSON type; every integer a request carries is an id. A
     * value type whose {@code @JsonCreator} refuses the value says why (IllegalArgumentException).
     */
    private String typeMessage(JavaType type, JacksonException e) {
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException refused) {
            return String.valueOf(refused.getMessage());
        }
        Class<?> raw = type.getRawClass();
        if (raw == String.class) {
            return "must be a string";
        }
        if (raw == Long.class || raw == long.class || raw == Integer.class || raw == int.class) {
            return "must be a positive integer";
        }
        if (raw == Boolean.class || raw == boolean.class) {
            return "must be a boolean";
        }
        if (type.isCollectionLikeType() && type.getContentType().isEnumType()) {
            return "must be an array of "
                    + Arrays.stream(type.getContentType().getRawClass().getEnumConstants())
                            .map(constant -> strict.valueToTree(constant).asString())
                            .collect(Collectors.joining(", "));
        }
        if (type.isCollectionLikeType()) {
            return "must be an array of strings";
        }
        if (JsonNode.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw)) {
            return "must be a JSON object";
        }
        return "has the wrong JSON type";
    }

    /**
     * Replaces a constraint's message with {@code message}, for checks whose message depends on the
     * value. The message is passed as a parameter, never as a template, so a value that holds
     * {@code {...}} or {@code ${...}} is not interpolated.
     */
    public static boolean refuse(ConstraintValidatorContext context, String message) {
        context.disableDefaultConstraintViolation();
        context.unwrap(HibernateConstraintValidatorContext.class)
                .addMessageParameter("message", message)
                .buildConstraintViolationWithTemplate("{message}")
                .addConstraintViolation();
        return false;
    }

    private static boolean isNotNull(ConstraintViolation<?> violation) {
        return violation.getConstraintDescriptor().getAnnotation() instanceof NotNull;
    }

    /** The component a violation is about; a constraint on the whole record has no name (body). */
    private static String rootOf(ConstraintViolation<?> violation) {
        String name = violation.getPropertyPath().iterator().next().getName();
        return name == null ? "" : name;
    }

    private static boolean containsNul(JsonNode node) {
        if (node.isString()) {
            return node.stringValue().indexOf('\0') >= 0;
        }
        if (node.isObject() && node.propertyNames().stream().anyMatch(name -> name.indexOf('\0') >= 0)) {
            return true;
        }
        for (JsonNode child : node) {
            if (containsNul(child)) {
                return true;
            }
        }
        return false;
    }
}

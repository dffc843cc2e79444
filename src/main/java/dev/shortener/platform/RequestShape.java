package dev.shortener.platform;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.PropertyNamingStrategy;

/**
 * What reading a {@link JsonRequest} record needs: its components, their JSON names (by the
 * mapper's naming strategy, snake_case here) and Jackson types (an {@code Optional}'s content),
 * whether each is a value object read from a string, and its canonical constructor.
 */
record RequestShape(
        RecordComponent[] components,
        Map<String, String> fields,
        JavaType[] types,
        boolean[] fromString,
        Constructor<?> constructor,
        boolean partial) {

    static RequestShape of(Class<?> type, ObjectMapper mapper) {
        RecordComponent[] components = type.getRecordComponents();
        PropertyNamingStrategy naming = mapper.deserializationConfig().getPropertyNamingStrategy();
        Map<String, String> fields = new LinkedHashMap<>();
        JavaType[] types = new JavaType[components.length];
        boolean[] fromString = new boolean[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            String name = component.getName();
            fields.put(name, naming == null ? name : naming.nameForField(mapper.deserializationConfig(), null, name));
            Type target = component.getType() == Optional.class
                    ? ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[0]
                    : component.getGenericType();
            types[i] = mapper.getTypeFactory().constructType(target);
            fromString[i] = readsString(types[i].getRawClass());
        }
        Class<?>[] parameters =
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            return new RequestShape(
                    components,
                    Map.copyOf(fields),
                    types,
                    fromString,
                    type.getDeclaredConstructor(parameters),
                    type.getAnnotation(JsonRequest.class).partial());
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type.getName() + " has no canonical constructor", e);
        }
    }

    /** A value type made from a JSON string by its {@code @JsonCreator} (an e-mail address, a URL). */
    private static boolean readsString(Class<?> raw) {
        Class<?>[] string = {String.class};
        return Arrays.stream(raw.getDeclaredMethods())
                .anyMatch(
                        m -> m.isAnnotationPresent(JsonCreator.class) && Arrays.equals(m.getParameterTypes(), string));
    }
}

package dev.shortener.platform;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record that a {@code @RequestBody} is read into by {@link JsonRequestReader}: whatever
 * the Content-Type, bound field by field with Jackson's coercion off and checked by Bean
 * Validation, every invalid field named in one 422. A JSON null is the same as an absent field,
 * except for a {@code Boolean}, which is true or false.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface JsonRequest {

    /**
     * A change to what exists: an absent field (Java null) keeps its value, so JSON null is refused,
     * except on an {@code Optional} field, where it clears the value.
     */
    boolean partial() default false;

    /** Text with at least one character that is not white space, for {@code @Pattern}. */
    String NOT_BLANK = "(?s).*\\S.*";
}

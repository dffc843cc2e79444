package dev.shortener.link;

import dev.shortener.platform.JsonRequestReader;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jspecify.annotations.Nullable;

/** A custom short code a client may ask for: {@link ShortCode#problemWith}'s rule. */
@Constraint(validatedBy = WellFormedCode.Check.class)
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
@interface WellFormedCode {

    String message() default "is not a valid short code";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<WellFormedCode, String> {

        @Override
        public boolean isValid(@Nullable String code, ConstraintValidatorContext context) {
            return code == null
                    || ShortCode.problemWith(code)
                            .map(problem -> JsonRequestReader.refuse(context, problem))
                            .orElse(true);
        }
    }
}

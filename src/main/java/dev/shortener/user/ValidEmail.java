package dev.shortener.user;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jspecify.annotations.Nullable;

/** An e-mail address by {@link Email}'s rule, the one the importer applies too. */
@Constraint(validatedBy = ValidEmail.Check.class)
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
@interface ValidEmail {

    String message() default "must be a valid e-mail address";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<ValidEmail, String> {

        @Override
        public boolean isValid(@Nullable String address, ConstraintValidatorContext context) {
            return address == null || address.isBlank() || Email.isValid(address);
        }
    }
}

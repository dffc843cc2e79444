package dev.shortener.link;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jspecify.annotations.Nullable;

/** A domain name the blocklist can hold ({@link Blocklist#normalized}); blank text is left to {@code @NotBlank}. */
@Constraint(validatedBy = DomainName.Check.class)
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
@interface DomainName {

    String message() default "must be a domain name such as phish.example";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<DomainName, String> {

        @Override
        public boolean isValid(@Nullable String domain, ConstraintValidatorContext context) {
            return domain == null
                    || domain.isBlank()
                    || Blocklist.normalized(domain).isPresent();
        }
    }
}

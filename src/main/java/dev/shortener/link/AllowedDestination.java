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

/** A link target the destination policy accepts; a refusal names the rule that refused it. */
@Constraint(validatedBy = AllowedDestination.Check.class)
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
@interface AllowedDestination {

    String message() default OriginalUrl.RULE;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<AllowedDestination, OriginalUrl> {

        private final Destinations destinations;

        Check(Destinations destinations) {
            this.destinations = destinations;
        }

        @Override
        public boolean isValid(@Nullable OriginalUrl url, ConstraintValidatorContext context) {
            if (url == null) {
                return true;
            }
            Destination.Verdict verdict = destinations.judge(url.url());
            return verdict.accepted() || JsonRequestReader.refuse(context, verdict.message());
        }
    }
}

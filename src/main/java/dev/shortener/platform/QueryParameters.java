package dev.shortener.platform;

import java.beans.PropertyEditorSupport;
import java.util.function.Function;
import org.springframework.beans.propertyeditors.CustomBooleanEditor;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * Query, path and form parameters are typed and converted by Spring, strictly: a boolean is only
 * {@code true} or {@code false} (any case), as the contract's {@code is_active} is, and an integer
 * only decimal digits, where Spring's defaults also take {@code yes}, {@code on}, {@code 1} or
 * {@code 0x10} and {@code #10}. Editors, because Spring falls back to its lenient default editor
 * when a converter refuses a value. A blank value is an absent one.
 */
@ControllerAdvice
class QueryParameters {

    @InitBinder
    void strictValues(WebDataBinder binder) {
        binder.registerCustomEditor(Boolean.class, new CustomBooleanEditor("true", "false", true));
        binder.registerCustomEditor(boolean.class, new CustomBooleanEditor("true", "false", false));
        binder.registerCustomEditor(Long.class, new Decimal(Long::valueOf));
        binder.registerCustomEditor(long.class, new Decimal(Long::valueOf));
        binder.registerCustomEditor(Integer.class, new Decimal(Integer::valueOf));
        binder.registerCustomEditor(int.class, new Decimal(Integer::valueOf));
    }

    /** Decimal digits only; a NumberFormatException is a type mismatch (400, or 404 in a path). */
    private static final class Decimal extends PropertyEditorSupport {

        private final Function<String, Number> parse;

        Decimal(Function<String, Number> parse) {
            this.parse = parse;
        }

        @Override
        public void setAsText(String text) {
            String value = text.trim();
            setValue(value.isEmpty() ? null : parse.apply(value));
        }
    }
}

package dev.shortener.platform;

import org.springframework.beans.propertyeditors.CustomBooleanEditor;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * Query and form parameters are typed and converted by Spring; a boolean is only {@code true} or
 * {@code false} (any case), as the contract's {@code is_active} is, where Spring's default would also
 * take {@code yes}, {@code on} or {@code 1}. An editor, because Spring falls back to its lenient
 * default editor when a converter refuses a value.
 */
@ControllerAdvice
class QueryParameters {

    @InitBinder
    void strictBooleans(WebDataBinder binder) {
        binder.registerCustomEditor(Boolean.class, new CustomBooleanEditor("true", "false", true));
        binder.registerCustomEditor(boolean.class, new CustomBooleanEditor("true", "false", false));
    }
}

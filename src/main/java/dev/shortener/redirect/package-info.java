/** The hot path: {@code GET /{code}} and {@code GET /urls/{code}/redirect}, and the link resolver. */
@ApplicationModule(
        allowedDependencies = {"importing", "event", "link", "abuse", "platform", "platform :: observability"})
@NullMarked
package dev.shortener.redirect;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;

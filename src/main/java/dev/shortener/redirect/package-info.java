/** The hot path: {@code GET /{code}} and {@code GET /urls/{code}/redirect}, and the link resolver. */
@NullMarked
package dev.shortener.redirect;

import org.jspecify.annotations.NullMarked;

/** Who is calling: API keys, browser sessions, the authentication modes and the route rules. */
@NullMarked
package dev.shortener.identity;

import org.jspecify.annotations.NullMarked;

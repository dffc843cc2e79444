/** Who is calling: API keys, browser sessions, the authentication modes and the route rules. */
@ApplicationModule(allowedDependencies = {"platform"})
@NullMarked
package dev.shortener.identity;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;

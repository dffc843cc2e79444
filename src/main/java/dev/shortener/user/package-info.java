/** People who own links: the users table and the {@code /users} API. */
@ApplicationModule(allowedDependencies = {"identity", "platform"})
@NullMarked
package dev.shortener.user;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;

/** Bulk CSV imports of users, urls and events: parsing, row validation, batched loading. */
@ApplicationModule(allowedDependencies = {"link", "user", "identity", "platform"})
@NullMarked
package dev.shortener.importing;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;

/** The append-only events log: the {@code /events} API, lifecycle events and the click recorder. */
@ApplicationModule(allowedDependencies = {"link", "abuse", "user", "identity", "platform"})
@NullMarked
package dev.shortener.event;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;

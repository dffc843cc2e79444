/**
 * Short links: the urls table, the {@code /urls} API, short codes, and the lifecycle events
 * ({@link dev.shortener.link.LinkCreated}, {@link dev.shortener.link.LinkUpdated}, {@link
 * dev.shortener.link.LinkDeleted}) that other features react to.
 */
@ApplicationModule(allowedDependencies = {"user", "identity", "platform"})
@NullMarked
package dev.shortener.link;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;

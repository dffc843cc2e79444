/** Cross-cutting plumbing: embedded servers, problem details, request bodies, paging, JSON. */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package dev.shortener.platform;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;

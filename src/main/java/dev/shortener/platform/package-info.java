/** Cross-cutting plumbing: embedded servers, problem details, request bodies, paging, JSON. */
@NullMarked
package dev.shortener.platform;

import org.jspecify.annotations.NullMarked;

/** The append-only events log: the {@code /events} API, lifecycle events and the click recorder. */
@NullMarked
package dev.shortener.event;

import org.jspecify.annotations.NullMarked;

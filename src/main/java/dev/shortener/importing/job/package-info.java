/**
 * Import jobs: an upload stored as chunks, the queue of chunks in PostgreSQL, the workers, progress
 * and dead letters.
 */
@NamedInterface("jobs")
@NullMarked
package dev.shortener.importing.job;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;

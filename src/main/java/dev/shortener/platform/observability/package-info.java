/**
 * Observability plumbing: request ids and access lines, SQL statement timing with slow-statement
 * and N+1 detection, bounded HTTP route tags and Redis command latency.
 */
@NamedInterface("observability")
@NullMarked
package dev.shortener.platform.observability;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;

/** The HTTP side of imports: uploads, jobs, their progress streams and the dead-letter queue. */
@NullMarked
package dev.shortener.importing.web;

import org.jspecify.annotations.NullMarked;

/** Bulk CSV imports of users, urls and events: parsing, row validation, batched loading. */
@NullMarked
package dev.shortener.importing;

import org.jspecify.annotations.NullMarked;

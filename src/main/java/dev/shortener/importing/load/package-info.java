/** Rows of an import file: reading and checking them, and loading a chunk of them into its table. */
@NullMarked
package dev.shortener.importing.load;

import org.jspecify.annotations.NullMarked;

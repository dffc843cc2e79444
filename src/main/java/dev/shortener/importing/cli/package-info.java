/** The command line: importing files and generating seed files, with progress on a terminal. */
@NullMarked
package dev.shortener.importing.cli;

import org.jspecify.annotations.NullMarked;

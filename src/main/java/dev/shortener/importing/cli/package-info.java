/** The command line: importing files and generating seed files, with progress on a terminal. */
@NamedInterface("cli")
@NullMarked
package dev.shortener.importing.cli;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;

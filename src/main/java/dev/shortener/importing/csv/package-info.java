/** Reading CSV files and storing their records as chunks: one parser (Commons CSV). */
@NullMarked
package dev.shortener.importing.csv;

import org.jspecify.annotations.NullMarked;

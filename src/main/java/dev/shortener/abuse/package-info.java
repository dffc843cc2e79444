/** Abuse control: links taken down by admins and the abuse reports that lead to it. */
@NullMarked
package dev.shortener.abuse;

import org.jspecify.annotations.NullMarked;

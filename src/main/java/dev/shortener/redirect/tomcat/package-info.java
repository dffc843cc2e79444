/** The fast path as a Tomcat valve: the one place, with the connector tuning, that knows Tomcat's classes. */
@NullMarked
package dev.shortener.redirect.tomcat;

import org.jspecify.annotations.NullMarked;

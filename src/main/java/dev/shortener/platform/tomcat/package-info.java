/** Tomcat's connector and engine as this service tunes them (ADR 0003). */
@NullMarked
package dev.shortener.platform.tomcat;

import org.jspecify.annotations.NullMarked;

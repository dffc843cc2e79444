/** People who own links: the users table and the {@code /users} API. */
@NullMarked
package dev.shortener.user;

import org.jspecify.annotations.NullMarked;

/** Abuse control: links taken down by admins and the abuse reports that lead to it. */
@ApplicationModule(allowedDependencies = {"link", "identity", "platform"})
@NullMarked
package dev.shortener.abuse;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;

package dev.shortener.importing;

import java.util.List;

/**
 * Links were written by an import or a dead-letter replay, after its commit: the short codes of
 * the links imported and of those whose codes they took, for the caches that hold them.
 */
public record LinksImported(List<String> shortCodes) {}

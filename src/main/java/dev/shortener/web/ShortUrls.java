package dev.shortener.web;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** The short URL people share: under {@code PUBLIC_BASE_URL}, or else the address this page was asked at. */
@Component
class ShortUrls {

    private final @Nullable String base;

    ShortUrls(@Value("${shortener.links.public-base-url:}") @Nullable String base) {
        this.base = base == null || base.isBlank() ? null : base.trim().replaceAll("/+$", "");
    }

    String of(String code) {
        String root = base != null
                ? base
                : ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
        return root + "/" + code;
    }
}

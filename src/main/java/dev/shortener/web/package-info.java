/**
 * The web application: server-rendered pages for people (sign-up, links, statistics, QR codes, API
 * keys, administration).
 */
@NullMarked
package dev.shortener.web;

import org.jspecify.annotations.NullMarked;

package dev.shortener.redirect;

/** Redis answers again after the circuit was open: invalidations sent meanwhile may be lost. */
record RedisRecovered() {}

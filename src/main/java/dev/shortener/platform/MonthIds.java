package dev.shortener.platform;

import java.time.YearMonth;
import java.time.temporal.ChronoUnit;

/**
 * Event ids by month (ADR 0020): month m, counted from January 2000, owns the ids from m × 2^36,
 * and events is partitioned by these ranges. The importer checks ids against them too.
 */
public final class MonthIds {

    static final int MONTH_BITS = 36;
    private static final YearMonth FIRST_MONTH = YearMonth.of(2000, 1);

    private MonthIds() {}

    /** The first id of {@code month}'s range. */
    public static long firstId(YearMonth month) {
        return FIRST_MONTH.until(month, ChronoUnit.MONTHS) << MONTH_BITS;
    }

    /** The month whose range holds {@code id}. */
    public static YearMonth monthOf(long id) {
        return FIRST_MONTH.plusMonths(id >> MONTH_BITS);
    }
}

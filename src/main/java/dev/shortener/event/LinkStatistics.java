package dev.shortener.event;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What the clicks of one link add up to. */
@Schema(name = "LinkStatistics", example = """
        {"url_id":1,"short_code":"WqxP6Kd","total_clicks":42,\
        "clicks_per_day":[{"date":"2025-09-19","clicks":40},{"date":"2025-09-20","clicks":2}],\
        "top_referrers":[{"referrer":"https://news.example.com/","clicks":30},{"referrer":null,"clicks":12}]}""")
public record LinkStatistics(
        long urlId,

        @Schema(description = "null when the link has been deleted (its events remain)") @Nullable
        String shortCode,

        long totalClicks,

        @Schema(description = "The last 30 days (UTC), oldest first, days without clicks included")
        List<DailyClicks> clicksPerDay,

        @Schema(description = "Most frequent referrers of all time; null stands for no Referer header")
        List<ReferrerClicks> topReferrers) {

    public record DailyClicks(LocalDate date, long clicks) {}

    public record ReferrerClicks(@Nullable String referrer, long clicks) {}
}

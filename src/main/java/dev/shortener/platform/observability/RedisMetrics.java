package dev.shortener.platform.observability;

import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Redis command latency as {@code lettuce.command.completion} and {@code
 * lettuce.command.firstresponse} timers tagged by command; their histogram buckets are the SLO
 * boundaries set in application.yml, so that percentiles aggregate across instances. Spring Boot's
 * observation of every command is excluded in application.yml: one timer per command is enough on
 * the redirect path, and {@link Tracing} adds spans only inside sampled traces.
 */
@Configuration(proxyBeanMethods = false)
class RedisMetrics {

    @Bean
    ClientResourcesBuilderCustomizer redisCommandLatency(MeterRegistry meters) {
        MicrometerOptions options = MicrometerOptions.builder()
                .histogram(false)
                .targetPercentiles(new double[0])
                .build();
        return builder -> builder.commandLatencyRecorder(new MicrometerCommandLatencyRecorder(meters, options));
    }
}

package dev.shortener.redirect;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

@Configuration(proxyBeanMethods = false)
class RedirectConfiguration {

    /** Subscribes this instance to link invalidations; resubscribes by itself after a Redis outage. */
    @Bean
    RedisMessageListenerContainer linkInvalidationListener(
            RedisConnectionFactory redis, LinkInvalidation invalidation, RedirectSettings settings) {
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(redis);
        container.addMessageListener(invalidation, new ChannelTopic(settings.invalidationChannel()));
        container.setRecoveryInterval(settings.circuitProbeInterval().toMillis());
        return container;
    }
}

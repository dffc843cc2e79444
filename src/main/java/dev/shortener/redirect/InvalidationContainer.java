package dev.shortener.redirect;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.util.backoff.FixedBackOff;

@Configuration(proxyBeanMethods = false)
class InvalidationContainer {

    /** The bean name of the container (there may be others, such as the sessions'). */
    static final String NAME = "linkInvalidationListeners";

    /**
     * The container of the invalidation listener ({@link InvalidationSubscriber}). Messages are
     * handled on the client's own thread, one at a time and in the order they came, as the
     * heartbeats' loss detection needs (the container's default hands each to a new thread). A
     * subscription lost later is made again when the client reconnects, and heard as a new
     * confirmation; the subscriber starts the container, because its own start fails (and would fail
     * the application's) while Redis is down.
     */
    @Bean(NAME)
    RedisMessageListenerContainer linkInvalidationListeners(RedisConnectionFactory redis, RedirectSettings settings) {
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(redis);
        container.setTaskExecutor(new SyncTaskExecutor());
        container.setRecoveryBackoff(
                new FixedBackOff(settings.circuitProbeInterval().toMillis()));
        container.setAutoStartup(false);
        return container;
    }
}

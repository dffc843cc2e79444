package dev.shortener.redirect;

import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

@Configuration(proxyBeanMethods = false)
class RedirectConfiguration {

    @Bean
    @ConditionalOnBooleanProperty(name = "shortener.redirect.fast-path", matchIfMissing = true)
    RedirectFilter redirectFilter(
            LinkResolver links, Redirector redirector, ObjectProvider<RequestMappingInfoHandlerMapping> mappings) {
        return new RedirectFilter(links, redirector, mappings);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "shortener.redirect.fast-path", matchIfMissing = true)
    FilterRegistrationBean<RedirectFilter> redirectFilterRegistration(RedirectFilter filter) {
        FilterRegistrationBean<RedirectFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.addUrlPatterns("/*");
        return registration;
    }
}

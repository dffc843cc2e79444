package dev.shortener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/** X-Forwarded-* headers are honoured only from the proxies TRUSTED_PROXIES names. */
class TrustedProxiesTest {

    private static StandardEnvironment settings(Map<String, Object> env) throws IOException {
        var environment = new StandardEnvironment();
        new YamlPropertySourceLoader()
                .load("application", new ClassPathResource("application.yml"))
                .forEach(environment.getPropertySources()::addLast);
        environment.getPropertySources().addFirst(new MapPropertySource("env", env));
        return environment;
    }

    @Test
    void by_default_only_loopback_may_forward_client_addresses() throws IOException {
        var settings = settings(Map.of());
        assertThat(settings.getProperty("server.forward-headers-strategy")).isEqualTo("native");
        Pattern trusted = Pattern.compile(settings.getProperty("server.tomcat.remoteip.internal-proxies"));
        assertThat(trusted.matcher("127.0.0.1").matches()).isTrue();
        assertThat(trusted.matcher("0:0:0:0:0:0:0:1").matches()).isTrue();
        assertThat(trusted.matcher("10.0.0.1").matches()).isFalse();
        assertThat(trusted.matcher("172.30.0.10").matches()).isFalse();
        assertThat(trusted.matcher("192.168.1.20").matches()).isFalse();
    }

    @Test
    void the_stack_trusts_exactly_the_nginx_address() throws IOException {
        var settings = settings(Map.of("TRUSTED_PROXIES", "172\\.30\\.0\\.10"));
        Pattern trusted = Pattern.compile(settings.getProperty("server.tomcat.remoteip.internal-proxies"));
        assertThat(trusted.matcher("172.30.0.10").matches()).isTrue();
        assertThat(trusted.matcher("172.30.0.11").matches()).isFalse();
        assertThat(trusted.matcher("127.0.0.1").matches()).isFalse();
        assertThat(settings.getProperty("server.tomcat.remoteip.remote-ip-header"))
                .isEqualTo("X-Forwarded-For");
    }
}

package dev.shortener;

import dev.shortener.importing.cli.Cli;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The URL shortener: one deployable that serves the HTTP API and, on worker instances, runs
 * import jobs. {@code import FILE…} and {@code generate …} arguments run a {@link Cli} command
 * instead.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class ShortenerApplication {

    public static void main(String[] args) {
        if (Cli.handles(args)) {
            System.exit(Cli.run(ShortenerApplication.class, args));
        }
        SpringApplication.run(ShortenerApplication.class, args);
    }
}

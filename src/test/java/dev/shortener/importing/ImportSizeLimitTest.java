package dev.shortener.importing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.ApiTest;
import dev.shortener.importing.cli.SeedGeneratorTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

@TestPropertySource(
        properties = {"spring.servlet.multipart.max-file-size=2KB", "spring.servlet.multipart.max-request-size=2KB"})
class ImportSizeLimitTest extends ApiTest {

    @Test
    void anUploadOverTheLimitIsRefusedWith413ProblemDetails() {
        String csv = SeedGeneratorTest.generate(200, 0, 0, 1).users();
        assertThat(csv.length()).isGreaterThan(8 * 1024);

        var problem =
                api.upload("/users/bulk", "file", "users.csv", csv).expect(413).json();

        assertThat(problem.get("type").asString()).isEqualTo("urn:shortener:problem:payload-too-large");
    }

    @Test
    void anUploadUnderTheLimitIsImported() {
        api.upload("/users/bulk", "file", "users.csv", "username,email\nsmall," + unique("small") + "@example.com\n")
                .expect(201);
    }
}

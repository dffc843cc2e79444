package dev.shortener.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shortener.Api;
import dev.shortener.ApiTest;
import dev.shortener.AppInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The destination policy on every way a link is saved: create, update, import. */
class DestinationApiTest extends ApiTest {

    private Api.Response create(Api on, String url) {
        return on.post("/urls", Map.of("original_url", url, "title", "Policy"));
    }

    @Test
    void aRefusalQuotesTheHostAsWrittenNeverAsAMessageTemplate() {
        // Bean Validation would read {message} or ${...} in a message template; the host is a parameter.
        JsonNode problem =
                create(api, "http://%7Bmessage%7D%24%7B1%7D/").expect(422).json();

        assertThat(problem.get("errors").get("original_url").asString()).contains("({message}${1})");
    }

    @Test
    void createAndUpdateRefuseAHostileTargetNamingTheRule() {
        JsonNode problem = create(api, "http://169.254.169.254/latest/meta-data/")
                .expect(422)
                .json();
        assertThat(problem.get("errors").get("original_url").asString())
                .contains("destination policy (private-address)");

        long id = create(api, "https://example.com/fine")
                .expect(201)
                .json()
                .get("id")
                .asLong();
        JsonNode refused = api.put("/urls/" + id, Map.of("original_url", "http://admin:admin@example.com/"))
                .expect(422)
                .json();
        assertThat(refused.get("errors").get("original_url").asString()).contains("(userinfo)");
        assertThat(api.get("/urls/" + id).expect(200).json().get("original_url").asString())
                .isEqualTo("https://example.com/fine");
    }

    @Test
    void anInternationalNameIsStoredAsPunycodeAndRedirectsThere() {
        JsonNode link =
                create(api, "https://b\u00fccher.example/kauf").expect(201).json();

        assertThat(link.get("original_url").asString()).isEqualTo("https://xn--bcher-kva.example/kauf");
        assertThat(api.get("/" + link.get("short_code").asString()).expect(302).header("Location"))
                .isEqualTo("https://xn--bcher-kva.example/kauf");
    }

    @Test
    void anImportRefusesTheRowsThePolicyRefuses() {
        String csv = "short_code,original_url\n" + unique("ok") + ",https://example.com/imported\n" + unique("bad")
                + ",http://0x7f000001/\n" + unique("lo") + ",http://localhost/admin\n";
        JsonNode report =
                api.upload("/urls/bulk", "file", "urls.csv", csv).expect(201).json();

        assertThat(report.get("imported").asLong()).isEqualTo(1);
        assertThat(report.get("failed").asLong()).isEqualTo(2);
        assertThat(report.get("errors").toString()).contains("(private-address)", "(local-name)");
    }

    @Test
    void adminsBlockAndUnblockDomains() {
        String domain = unique("phish") + ".example";
        create(api, "https://login." + domain + "/").expect(201);

        api.post("/blocked-domains", Map.of("domain", domain.toUpperCase(), "reason", "report 12"))
                .expect(201);
        api.post("/blocked-domains", Map.of("domain", domain)).expect(409);
        assertThat(api.get("/blocked-domains").expect(200).body()).contains(domain, "report 12");
        assertThat(create(api, "https://login." + domain + "/").expect(422).body())
                .contains("(blocked-domain)");

        api.delete("/blocked-domains/" + domain).expect(204);
        api.delete("/blocked-domains/" + domain).expect(404);
        create(api, "https://login." + domain + "/").expect(201);
        api.post("/blocked-domains", Map.of("domain", "not a domain")).expect(422);
    }

    @Test
    void theBlocklistFileAndTheServicesOwnHostsApply(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("blocklist.txt");
        Files.writeString(file, "# phishing\nevil-one.example\n");
        try (AppInstance instance = AppInstance.start(Map.of(
                "shortener.links.blocklist-file", file.toString(),
                "shortener.links.public-base-url", "https://sho.rt",
                "shortener.links.short-domains", "s.example.net, go.example.org"))) {
            Api there = instance.api();
            create(there, "https://www.evil-one.example/").expect(422);
            create(there, "https://sho.rt/abc").expect(422);
            create(there, "https://go.example.org/abc").expect(422);
            create(there, "https://evil-two.example/").expect(201);

            Files.writeString(file, "evil-two.example\n");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> create(there, "https://evil-two.example/").status() == 422);
            create(there, "https://www.evil-one.example/").expect(201);
        }
    }
}

package dev.shortener.deploy;

import static dev.shortener.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The compose stack keeps everything but nginx and Grafana off the outside network. */
class ComposeStackTest {

    /** Images without a shell or HTTP client: Prometheus's `up` series watches them instead. */
    private static final Set<String> WITHOUT_HEALTHCHECK =
            Set.of("loki", "alloy", "tempo", "redis-exporter", "nginx-exporter");

    private static final Set<String> REQUIRED_SERVICES = Set.of(
            "nginx",
            "app1",
            "app2",
            "postgres",
            "redis",
            "prometheus",
            "alertmanager",
            "grafana",
            "loki",
            "alloy",
            "tempo",
            "cadvisor",
            "node-exporter",
            "postgres-exporter",
            "redis-exporter",
            "nginx-exporter");

    private final String text = DeployFiles.read("docker-compose.yml");
    private final Map<String, Object> compose = DeployFiles.yaml(text);

    @SuppressWarnings("unchecked")
    private Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void the_compose_file_follows_the_compose_specification_schema() {
        // The schema is the Compose Specification's compose-spec.json, as bundled by the npm
        // package dclint 3.1.0 (schemas/compose.schema.json).
        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(SchemaLocation.of("classpath:deploy/compose-spec.schema.json"));
        var errors = schema.validate(JsonMapper.shared().valueToTree(compose));
        assertThat(errors).as("schema violations").isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_schema_check_rejects_a_key_compose_does_not_know() {
        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(SchemaLocation.of("classpath:deploy/compose-spec.schema.json"));
        Map<String, Object> broken = DeployFiles.yaml(text);
        ((Map<String, Object>) at(broken, "services", "redis")).put("restart_policy", "always");
        assertThat(schema.validate(JsonMapper.shared().valueToTree(broken))).isNotEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void each_replica_keeps_its_click_journal_on_a_named_volume_of_its_own() {
        Set<String> volumes = new TreeSet<>();
        for (String replica : List.of("app1", "app2")) {
            List<String> mounts = (List<String>) services().get(replica).get("volumes");
            assertThat(mounts).as(replica).hasSize(1);
            String[] mount = mounts.getFirst().split(":");
            assertThat(mount[1])
                    .as("mounted where the image points CLICKS_JOURNAL_DIR")
                    .isEqualTo("/var/lib/shortener/clicks");
            assertThat((Map<String, Object>) compose.get("volumes")).containsKey(mount[0]);
            volumes.add(mount[0]);
        }
        assertThat(volumes).as("one volume per replica").hasSize(2);
        assertThat(DeployFiles.read("Dockerfile"))
                .contains("CLICKS_JOURNAL_DIR=/var/lib/shortener/clicks")
                .contains("VOLUME /var/lib/shortener/clicks");
    }

    @Test
    void the_stack_has_every_component() {
        assertThat(services().keySet()).containsAll(REQUIRED_SERVICES);
    }

    @Test
    void the_replicas_send_traces_to_tempo_and_prometheus_can_store_their_exemplars() {
        Map<String, Object> prometheus = services().get("prometheus");
        Matcher version = Pattern.compile("prom/prometheus:v(\\d+)\\.(\\d+)")
                .matcher(prometheus.get("image").toString());
        assertThat(version.find()).isTrue();
        int major = Integer.parseInt(version.group(1));
        int minor = Integer.parseInt(version.group(2));
        assertThat(major > 2 || minor >= 43)
                .as("exemplars on a histogram's _count fail whole scrapes before Prometheus 2.43")
                .isTrue();
        assertThat(prometheus.get("command").toString()).contains("--enable-feature=exemplar-storage");
        for (String app : List.of("app1", "app2")) {
            assertThat(at(services().get(app), "environment", "OTEL_EXPORTER_OTLP_ENDPOINT")
                            .toString())
                    .as("tracing of %s on by default, to the stack's Tempo", app)
                    .endsWith("http://tempo:4318}");
        }
        assertThat(DeployFiles.read("deploy/tempo/tempo.yml")).contains("endpoint: 0.0.0.0:4318");
        assertThat(DeployFiles.read(".env.example"))
                .contains("OTEL_EXPORTER_OTLP_ENDPOINT=", "TRACING_SAMPLE=", "TRACING_REDIRECT_SAMPLE=");
    }

    @Test
    void only_nginx_and_grafana_publish_ports() {
        var publishing = services().entrySet().stream()
                .filter(service -> service.getValue().containsKey("ports"))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        assertThat(publishing).containsExactlyInAnyOrder("nginx", "grafana");
        assertThat(services().values())
                .allSatisfy(service -> assertThat(service)
                        .as("host networking would bypass the networks")
                        .doesNotContainKey("network_mode"));
    }

    @Test
    void the_internal_network_has_no_route_out_and_the_edge_holds_only_nginx_and_grafana() {
        assertThat(at(compose, "networks", "internal", "internal")).isEqualTo(true);
        var onEdge = services().entrySet().stream()
                .filter(service -> networksOf(service.getValue()).contains("edge"))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        assertThat(onEdge).containsExactlyInAnyOrder("nginx", "grafana");
        assertThat(services())
                .allSatisfy((name, service) -> assertThat(networksOf(service))
                        .as("networks of %s", name)
                        .contains("internal"));
    }

    @Test
    void every_service_has_memory_and_cpu_limits_that_fit_a_two_gigabyte_host() {
        long totalMegabytes = 0;
        for (var service : services().entrySet()) {
            Object memory = at(service.getValue(), "deploy", "resources", "limits", "memory");
            Object cpus = at(service.getValue(), "deploy", "resources", "limits", "cpus");
            assertThat(memory).as("memory limit of %s", service.getKey()).isNotNull();
            assertThat(cpus).as("cpu limit of %s", service.getKey()).isNotNull();
            assertThat(Double.parseDouble(cpus.toString()))
                    .as("cpus of %s", service.getKey())
                    .isBetween(0.05, 2.0);
            totalMegabytes += megabytes(memory.toString());
        }
        assertThat(totalMegabytes).as("sum of memory limits in MB").isLessThanOrEqualTo(1900);
    }

    @Test
    void every_service_that_can_be_probed_has_a_healthcheck() {
        services().forEach((name, service) -> {
            if (!WITHOUT_HEALTHCHECK.contains(name)) {
                assertThat(at(service, "healthcheck", "test"))
                        .as("healthcheck of %s", name)
                        .isNotNull();
            }
        });
    }

    @Test
    void app_replicas_are_ready_checked_stop_gracefully_and_trust_only_nginx() {
        for (String app : List.of("app1", "app2")) {
            Map<String, Object> service = services().get(app);
            assertThat(at(service, "healthcheck", "test").toString())
                    .as("readiness on the management port: cached redirects outlive PostgreSQL and Redis")
                    .contains("/127.0.0.1/8081", "/health/readiness");
            assertThat(seconds(service.get("stop_grace_period").toString()))
                    .as("stop_grace_period of %s must exceed the 25s graceful stop", app)
                    .isGreaterThan(25);
            assertThat(service.get("read_only")).isEqualTo(true);
            assertThat(at(service, "environment", "REDIS_URL").toString()).startsWith("redis://:${REDIS_PASSWORD");
            assertThat(at(service, "environment", "AUTH_MODE"))
                    .as("keys for %s", app)
                    .isEqualTo("keys");
            assertThat(at(service, "environment", "ADMIN_API_KEY").toString()).startsWith("${ADMIN_API_KEY:?");
            String nginxAddress = at(services().get("nginx"), "networks", "internal", "ipv4_address")
                    .toString();
            assertThat(Pattern.matches(
                            at(service, "environment", "TRUSTED_PROXIES").toString(), nginxAddress))
                    .as("TRUSTED_PROXIES matches the nginx address %s", nginxAddress)
                    .isTrue();
        }
    }

    @Test
    void redis_requires_a_password_and_evicts_only_keys_with_a_ttl() {
        String command = castList(at(services().get("redis"), "command")).stream()
                .map(Object::toString)
                .collect(Collectors.joining(" "));
        assertThat(command).contains("requirepass", "--maxmemory-policy volatile-lru", "--appendonly yes");
    }

    @Test
    void postgres_keeps_its_data_in_a_volume_and_loads_pg_stat_statements() {
        Map<String, Object> postgres = services().get("postgres");
        assertThat(castList(postgres.get("volumes")))
                .anySatisfy(volume -> assertThat(volume.toString()).startsWith("pgdata:"));
        assertThat(castList(postgres.get("command"))).contains("shared_preload_libraries=pg_stat_statements");
    }

    @Test
    void every_variable_the_stack_reads_is_documented_in_env_example_and_env_stays_out_of_git() {
        Set<String> documented = new TreeSet<>();
        Matcher assignment = Pattern.compile("(?m)^#?\\s*([A-Z][A-Z0-9_]*)=").matcher(DeployFiles.read(".env.example"));
        while (assignment.find()) {
            documented.add(assignment.group(1));
        }
        Set<String> used = new TreeSet<>();
        Matcher reference = Pattern.compile("(?<!\\$)\\$\\{([A-Z][A-Z0-9_]*)").matcher(text);
        while (reference.find()) {
            used.add(reference.group(1));
        }
        used.add("DISCORD_WEBHOOK_URL");
        assertThat(documented).containsAll(used);
        assertThat(DeployFiles.read(".gitignore").lines()).contains(".env");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object value) {
        return (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Collection<String> networksOf(Map<String, Object> service) {
        Object networks = service.get("networks");
        if (networks instanceof Map<?, ?> map) {
            return (Collection<String>) map.keySet();
        }
        return networks == null ? List.of("default") : (Collection<String>) networks;
    }

    private static long megabytes(String size) {
        Matcher m = Pattern.compile("(\\d+)([MG])").matcher(size);
        assertThat(m.matches()).as("memory size %s", size).isTrue();
        long value = Long.parseLong(m.group(1));
        return m.group(2).equals("G") ? value * 1024 : value;
    }

    private static long seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)s").matcher(duration);
        assertThat(m.matches()).as("duration %s", duration).isTrue();
        return Long.parseLong(m.group(1));
    }
}

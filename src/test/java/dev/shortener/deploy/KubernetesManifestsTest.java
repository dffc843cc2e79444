package dev.shortener.deploy;

import static dev.shortener.deploy.DeployFiles.at;
import static dev.shortener.deploy.DeployFiles.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every overlay of deploy/k8s renders with kustomize (kubectl's built-in) and wires together:
 * probes, resources, disruption budget, autoscaler, services, ingress, database and cache. The
 * schema check of the built-in kinds is deploy/k8s/validate.mjs (CI).
 */
class KubernetesManifestsTest {

    record Manifests(List<Map<String, Object>> objects) {
        Map<String, Object> one(String kind, String name) {
            return objects.stream()
                    .filter(o -> kind.equals(o.get("kind")))
                    .filter(o -> name == null || name.equals(at(o, "metadata", "name")))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
        }

        Stream<Map<String, Object>> all(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind")));
        }
    }

    @BeforeAll
    static void kustomizeIsAvailable() {
        DeployFiles.requireTool("kubectl", "install kubectl (kustomize is built in)");
    }

    private static Manifests render(String overlay) {
        var run = DeployFiles.run(
                seconds(60),
                List.of(
                        "kubectl",
                        "kustomize",
                        DeployFiles.root()
                                .resolve("deploy/k8s/overlays/" + overlay)
                                .toString()));
        assertThat(run.exitCode()).as(run.output()).isZero();
        return new Manifests(DeployFiles.yamlDocuments(run.output()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container(Manifests manifests) {
        var containers = (List<Map<String, Object>>)
                at(manifests.one("Deployment", "shortener"), "spec", "template", "spec", "containers");
        assertThat(containers).hasSize(1);
        return containers.getFirst();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> named(Object list, String name) {
        return ((List<Map<String, Object>>) list)
                .stream()
                        .filter(entry -> name.equals(entry.get("name")))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no entry named " + name + " in " + list));
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void every_object_lands_in_the_overlay_namespace(String overlay) {
        var manifests = render(overlay);
        String namespace = overlay.equals("production") ? "shortener" : "shortener-staging";
        assertThat(manifests.objects())
                .isNotEmpty()
                .allSatisfy(o -> assertThat(at(o, "metadata", "namespace"))
                        .as("namespace of %s %s", o.get("kind"), at(o, "metadata", "name"))
                        .isEqualTo(namespace));
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void the_deployment_is_probed_sized_spread_and_rolls_without_losing_capacity(String overlay) {
        var manifests = render(overlay);
        var deployment = manifests.one("Deployment", "shortener");
        var app = container(manifests);

        // on the management port: readiness follows the shutdown, not a shared database outage
        assertThat(at(app, "startupProbe", "httpGet", "path")).isEqualTo("/health/liveness");
        assertThat(at(app, "livenessProbe", "httpGet", "path")).isEqualTo("/health/liveness");
        assertThat(at(app, "readinessProbe", "httpGet", "path")).isEqualTo("/health/readiness");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(at(app, probe, "httpGet", "port")).as(probe).isEqualTo("metrics");
        }
        assertThat(at(app, "resources", "requests", "cpu")).isNotNull();
        assertThat(at(app, "resources", "requests", "memory")).isNotNull();
        assertThat(at(app, "resources", "limits", "memory")).isNotNull();
        assertThat(at(app, "lifecycle", "preStop")).isNotNull();
        assertThat(at(app, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(app.get("image").toString()).startsWith("ghcr.io/").doesNotEndWith(":latest");

        assertThat(at(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable"))
                .isEqualTo(0);
        assertThat((Integer) at(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds"))
                .as("preStop 10s + graceful stop 25s")
                .isGreaterThan(35);
        assertThat(at(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot"))
                .isEqualTo(true);
        assertThat((List<?>) at(deployment, "spec", "template", "spec", "topologySpreadConstraints"))
                .hasSizeGreaterThanOrEqualTo(2);
        // the click journal survives restarts of the container on an emptyDir of the pod
        assertThat(app.get("volumeMounts").toString()).contains("mountPath=/var/lib/shortener/clicks");
        assertThat(at(deployment, "spec", "template", "spec", "volumes").toString())
                .contains("{emptyDir={sizeLimit=2Gi}, name=clicks}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void budget_autoscaler_service_and_ingress_point_at_the_deployment(String overlay) {
        var manifests = render(overlay);
        var podLabels = at(manifests.one("Deployment", "shortener"), "spec", "template", "metadata", "labels");

        assertThat(at(manifests.one("PodDisruptionBudget", "shortener"), "spec", "selector", "matchLabels"))
                .isEqualTo(podLabels);
        assertThat(at(manifests.one("Service", "shortener"), "spec", "selector"))
                .isEqualTo(podLabels);

        var hpa = manifests.one("HorizontalPodAutoscaler", "shortener");
        assertThat(at(hpa, "spec", "scaleTargetRef", "name")).isEqualTo("shortener");
        assertThat((Integer) at(hpa, "spec", "minReplicas")).isGreaterThanOrEqualTo(2);
        assertThat(((List<?>) at(hpa, "spec", "metrics"))
                        .stream().map(metric -> at(metric, "type")).toList())
                .contains("Resource", "Pods");

        assertThat(manifests.all("Ingress")).isNotEmpty().allSatisfy(ingress -> {
            assertThat(ingress.toString())
                    .as("ingress routes to the http port only, never to metrics")
                    .contains("name=http")
                    .doesNotContain("name=metrics")
                    .doesNotContain("8081");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void metrics_move_to_the_port_the_service_monitor_scrapes(String overlay) {
        var manifests = render(overlay);
        var settings = manifests
                .all("ConfigMap")
                .filter(c -> at(c, "metadata", "name").toString().startsWith("shortener-settings"))
                .findFirst()
                .orElseThrow();
        assertThat(at(settings, "data", "MANAGEMENT_PORT")).isEqualTo("8081");

        assertThat(at(settings, "data", "AUTH_MODE")).as("API keys required").isEqualTo("keys");
        assertThat(named(container(manifests).get("env"), "ADMIN_API_KEY").toString())
                .contains("shortener-admin");
        assertThat(named(container(manifests).get("ports"), "metrics").get("containerPort"))
                .isEqualTo(8081);
        assertThat(at(manifests.one("ServiceMonitor", "shortener"), "spec", "endpoints")
                        .toString())
                .contains("port=metrics", "path=/metrics");
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void postgres_runs_with_a_replica_and_backups_and_the_app_uses_its_credentials(String overlay) {
        var manifests = render(overlay);
        var cluster = manifests.one("Cluster", "shortener-db");
        assertThat((Integer) at(cluster, "spec", "instances")).isGreaterThanOrEqualTo(2);
        assertThat(at(cluster, "spec", "storage", "size")).isNotNull();
        assertThat(at(cluster, "spec", "postgresql", "parameters").toString()).contains("pg_stat_statements");

        String store = ((List<?>) at(cluster, "spec", "plugins"))
                .stream()
                        .map(plugin -> at(plugin, "parameters", "barmanObjectName"))
                        .filter(Objects::nonNull)
                        .findFirst()
                        .orElseThrow()
                        .toString();
        assertThat(at(manifests.one("ObjectStore", store), "spec", "configuration", "destinationPath"))
                .isNotNull();
        assertThat(at(manifests.one("ScheduledBackup", null), "spec", "cluster", "name"))
                .isEqualTo("shortener-db");

        // CloudNativePG writes the application's credentials into the secret <cluster>-app.
        var databaseUrl = named(container(manifests).get("env"), "DATABASE_URL");
        assertThat(at(databaseUrl, "valueFrom", "secretKeyRef", "name")).isEqualTo("shortener-db-app");
        assertThat(at(databaseUrl, "valueFrom", "secretKeyRef", "key")).isEqualTo("uri");
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void redis_evicts_only_cache_keys_and_shares_its_password_secret_with_the_app(String overlay) {
        var manifests = render(overlay);
        var redis = manifests.one("Redis", "shortener-redis");
        String secret =
                at(redis, "spec", "kubernetesConfig", "redisSecret", "name").toString();
        String configMap =
                at(redis, "spec", "redisConfig", "additionalRedisConfig").toString();

        assertThat(manifests.one("ConfigMap", configMap).toString()).contains("maxmemory-policy volatile-lru");
        var env = container(manifests).get("env");
        assertThat(at(named(env, "REDIS_PASSWORD"), "valueFrom", "secretKeyRef", "name"))
                .isEqualTo(secret);
        assertThat(named(env, "REDIS_URL").get("value"))
                .isEqualTo("redis://:$(REDIS_PASSWORD)@" + at(redis, "metadata", "name") + ":6379");
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    @SuppressWarnings("unchecked")
    void the_alerts_and_dashboards_are_those_of_the_compose_stack(String overlay) throws IOException {
        var manifests = render(overlay);
        List<Object> groups = new ArrayList<>();
        try (var rules = Files.list(DeployFiles.root().resolve("deploy/prometheus/rules"))) {
            rules.filter(file -> file.toString().endsWith(".yml"))
                    .sorted()
                    .forEach(file -> groups.addAll((List<Object>)
                            DeployFiles.yaml(DeployFiles.read("deploy/prometheus/rules/" + file.getFileName()))
                                    .get("groups")));
        }
        assertThat(at(manifests.one("PrometheusRule", "shortener"), "spec", "groups"))
                .as("PrometheusRule groups = deploy/prometheus/rules/*.yml (run deploy/k8s/generate_monitoring.py)")
                .isEqualTo(groups);

        Map<String, String> dashboards = new TreeMap<>();
        manifests
                .all("ConfigMap")
                .filter(map -> "1".equals(at(map, "metadata", "labels", "grafana_dashboard")))
                .forEach(map -> dashboards.putAll((Map<String, String>) map.get("data")));
        Map<String, String> shipped = new TreeMap<>();
        try (var files = Files.list(DeployFiles.root().resolve("deploy/grafana/dashboards"))) {
            files.forEach(file -> shipped.put(
                    file.getFileName().toString(),
                    DeployFiles.read("deploy/grafana/dashboards/" + file.getFileName())));
        }
        assertThat(dashboards)
                .as("dashboard ConfigMaps = deploy/grafana/dashboards (run deploy/k8s/generate_monitoring.py)")
                .isEqualTo(shipped);
        assertThat(at(manifests.one("ServiceMonitor", "shortener"), "spec", "jobLabel"))
                .as("job=\"shortener\", as the rules select")
                .isEqualTo("app.kubernetes.io/name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"staging", "production"})
    void the_image_is_pinned_by_an_immutable_tag(String overlay) {
        String image = container(render(overlay)).get("image").toString();

        assertThat(image)
                .as("a release tag or the commit tag deploy.yml pushes, never a moving tag such as main")
                .matches("ghcr\\.io/[^:]+:(v\\d+\\.\\d+\\.\\d+|sha-[0-9a-f]{40})");
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_autoscaler_scales_on_the_per_pod_request_rate_the_adapter_computes(@TempDir Path dir) throws IOException {
        DeployFiles.requireTool("promtool", "apt-get install prometheus");
        var rule = ((List<Map<String, Object>>) at(
                        DeployFiles.yaml(DeployFiles.read("deploy/k8s/prometheus-adapter-values.yaml")),
                        "rules",
                        "custom"))
                .getFirst();
        var hpaMetric = at(render("production").one("HorizontalPodAutoscaler", "shortener"), "spec", "metrics")
                .toString();
        assertThat(hpaMetric).contains("name=" + at(rule, "name", "as"));

        // as prometheus-adapter fills the template when the autoscaler asks for two pods of a namespace
        String query = at(rule, "metricsQuery")
                .toString()
                .replace("<<.Series>>", "http_server_requests_seconds_count")
                .replace("<<.LabelMatchers>>", "namespace=\"shortener\",pod=~\"shortener-a|shortener-b\"")
                .replace("<<.GroupBy>>", "pod");
        Path test = dir.resolve("adapter_test.yml");
        Files.writeString(test, """
                evaluation_interval: 15s
                tests:
                  - interval: 15s
                    input_series:
                      - series: 'http_server_requests_seconds_count{namespace="shortener",pod="shortener-a",uri="/{code}",status="302"}'
                        values: '0+1500x40'
                      - series: 'http_server_requests_seconds_count{namespace="shortener",pod="shortener-a",uri="/urls",status="201"}'
                        values: '0+300x40'
                      - series: 'http_server_requests_seconds_count{namespace="shortener",pod="shortener-b",uri="/{code}",status="302"}'
                        values: '0+750x40'
                      - series: 'http_server_requests_seconds_count{namespace="other",pod="shortener-a",uri="/{code}",status="302"}'
                        values: '0+90000x40'
                    promql_expr_test:
                      - expr: '%s'
                        eval_time: 5m
                        exp_samples:
                          - labels: '{pod="shortener-a"}'
                            value: 120
                          - labels: '{pod="shortener-b"}'
                            value: 50
                """.formatted(query));

        var run = DeployFiles.run(seconds(60), List.of("promtool", "test", "rules", test.toString()));

        assertThat(run.exitCode()).as(query + "\n" + run.output()).isZero();
    }
}

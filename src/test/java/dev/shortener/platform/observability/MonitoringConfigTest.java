package dev.shortener.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.platform.observability.MonitoringTools.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring configuration under deploy/ is checked by the real tools: promtool validates the
 * Prometheus configuration and rules and runs the alert unit tests, amtool validates Alertmanager's.
 */
class MonitoringConfigTest {

    /**
     * Metrics of the exporters in the stack (postgres-exporter, redis-exporter, nginx-exporter,
     * cAdvisor, Prometheus itself) that the rules and dashboards may read. The application's own
     * families are verified against a live scrape by {@link MetricsScrapeTest}.
     */
    private static final Set<String> EXPORTER_METRICS = Set.of(
            "up",
            "pg_up",
            "pg_database_size_bytes",
            "pg_stat_database_numbackends",
            "pg_stat_database_xact_commit",
            "pg_stat_database_xact_rollback",
            "redis_up",
            "redis_memory_used_bytes",
            "redis_memory_max_bytes",
            "redis_connected_clients",
            "redis_commands_processed_total",
            "nginx_http_requests_total",
            "nginx_connections_active",
            "container_cpu_usage_seconds_total",
            "container_memory_working_set_bytes",
            "container_spec_memory_limit_bytes",
            "container_fs_usage_bytes",
            "container_fs_limit_bytes",
            "container_network_receive_bytes_total",
            "container_network_transmit_bytes_total",
            "node_filesystem_avail_bytes",
            "node_filesystem_size_bytes",
            "node_memory_MemAvailable_bytes",
            "node_memory_MemTotal_bytes",
            "node_cpu_seconds_total",
            // deploy/backup.sh through the node exporter's textfile collector; CloudNativePG
            "backup_last_success_timestamp_seconds",
            "cnpg_collector_last_available_backup_timestamp");

    @Test
    void prometheusConfigurationWithItsRuleFilesIsValid(@TempDir Path dir) throws IOException {
        // The shipped file names in-container paths; a copy points them at this checkout.
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
                config,
                Files.readString(DeployFiles.PROMETHEUS.resolve("prometheus.yml"))
                        .replace("/etc/prometheus/", DeployFiles.PROMETHEUS + "/"));

        Run run = MonitoringTools.run("promtool", List.of("check", "config", config.toString()));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .as("every rule file is found and valid")
                .contains("SUCCESS: " + DeployFiles.ruleFiles().size() + " rule files found");
    }

    @Test
    void ruleFilesAreValid() {
        List<String> arguments = new ArrayList<>(List.of("check", "rules"));
        DeployFiles.ruleFiles().forEach(file -> arguments.add(file.toString()));

        Run run = MonitoringTools.run("promtool", arguments);

        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    @Test
    void alertUnitTestsPass() {
        List<String> arguments = new ArrayList<>(List.of("test", "rules"));
        DeployFiles.ruleTestFiles().forEach(file -> arguments.add(file.toString()));

        Run run = MonitoringTools.run("promtool", arguments);

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).doesNotContain("FAILED");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasAUnitTestWhereItFiresAndOneWhereItStaysSilent() {
        Set<String> fires = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (Path file : DeployFiles.ruleTestFiles()) {
            for (Map<String, Object> test :
                    (List<Map<String, Object>>) DeployFiles.yaml(file).get("tests")) {
                for (Map<String, Object> check :
                        (List<Map<String, Object>>) test.getOrDefault("alert_rule_test", List.of())) {
                    List<?> expected = (List<?>) check.get("exp_alerts");
                    String alert = (String) check.get("alertname");
                    (expected == null || expected.isEmpty() ? silent : fires).add(alert);
                }
            }
        }
        Set<String> alerts = DeployFiles.rules("alert").keySet();

        assertThat(alerts).isNotEmpty();
        assertThat(fires).as("alerts with a test where they fire").containsAll(alerts);
        Set<String> canBeSilent = new TreeSet<>(alerts);
        // the dead man's switch fires always: its silence is what the heartbeat receiver alarms on
        canBeSilent.remove("Watchdog");
        assertThat(silent).as("alerts with a test where they stay silent").containsAll(canBeSilent);
    }

    @Test
    void everyAlertPointsAtItsRunbookSection() throws IOException {
        String runbook = Files.readString(Path.of("docs", "operations.md"));
        Set<String> headings = new TreeSet<>();
        Matcher heading = Pattern.compile("(?m)^#{2,4} +(\\S+)\\s*$").matcher(runbook);
        while (heading.find()) {
            headings.add(heading.group(1));
        }

        DeployFiles.alertAnnotations().forEach((alert, annotations) -> {
            assertThat(headings)
                    .as("runbook section for %s in docs/operations.md", alert)
                    .contains(alert);
            assertThat(annotations.get("runbook"))
                    .as("runbook annotation of %s", alert)
                    .isEqualTo("docs/operations.md#" + alert.toLowerCase(Locale.ROOT));
            assertThat(annotations.get("summary")).as("summary of %s", alert).isNotBlank();
        });
    }

    @Test
    void alertmanagerConfigurationIsValid(@TempDir Path dir) throws IOException {
        String shipped = Files.readString(DeployFiles.ALERTMANAGER.resolve("alertmanager.yml"));
        assertThat(shipped)
                .as("the Discord webhook URL and the heartbeat URL come from secret files")
                .contains("webhook_url_file: /etc/alertmanager/secrets/")
                .contains("url_file: /etc/alertmanager/secrets/heartbeat_url")
                .doesNotContainPattern("webhook_url:\\s*\\S")
                .doesNotContainPattern("\\burl:\\s*\\S");

        String checked = shipped.replace("/etc/alertmanager/", DeployFiles.ALERTMANAGER + "/");
        if (!supportsUrlFiles()) {
            // Alertmanager before 0.28 (Debian 12 ships 0.25) knows neither webhook_url_file for
            // Discord nor url_file for webhooks; the rest of the file is checked with placeholders.
            checked = checked.replaceAll(
                            "webhook_url_file: \\S+", "webhook_url: https://discord.invalid/api/webhooks/0/placeholder")
                    .replaceAll("- url_file: \\S+", "- url: https://heartbeat.invalid/placeholder");
        }
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, checked);

        Run run = MonitoringTools.run("amtool", List.of("check-config", config.toString()));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("1 templates");
    }

    @Test
    void inhibitionsNameExistingAlerts() throws IOException {
        String config = Files.readString(DeployFiles.ALERTMANAGER.resolve("alertmanager.yml"));
        Set<String> named = new TreeSet<>();
        Matcher matcher = Pattern.compile("alertname=~?\"([^\"]+)\"").matcher(config);
        while (matcher.find()) {
            named.addAll(List.of(matcher.group(1).split("\\|")));
        }

        assertThat(named).isNotEmpty();
        assertThat(DeployFiles.rules("alert").keySet()).containsAll(named);
    }

    @Test
    void noWebhookUrlIsCommittedUnderDeploy() throws IOException {
        try (Stream<Path> files = Files.walk(DeployFiles.DEPLOY)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(file))
                        .as(file.toString())
                        .doesNotContainPattern("discord(app)?\\.com/api/webhooks");
            }
        }
    }

    @Test
    void dashboardExpressionsAreValidPromQL(@TempDir Path dir) throws IOException {
        Map<String, String> expressions = DeployFiles.dashboardExpressions();
        assertThat(expressions).hasSizeGreaterThan(50);
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        int i = 0;
        for (String expr : expressions.values()) {
            rules.append("      - record: dashboard:expression_")
                    .append(i++)
                    .append("\n        expr: '")
                    .append(expr.replace("'", "''"))
                    .append("'\n");
        }
        Path file = dir.resolve("dashboards.yml");
        Files.writeString(file, rules);

        Run run = MonitoringTools.run("promtool", List.of("check", "rules", file.toString()));

        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    @Test
    void rulesAndDashboardsReadOnlyMetricsThatTheAppOrAListedExporterExports() {
        Map<String, Set<String>> unknown = new TreeMap<>();
        DeployFiles.allExpressions().forEach((where, expr) -> {
            for (String name : DeployFiles.metricNames(expr)) {
                boolean app = DeployFiles.APP_PREFIXES.stream().anyMatch(name::startsWith);
                if (!app && !EXPORTER_METRICS.contains(name)) {
                    unknown.computeIfAbsent(name, n -> new TreeSet<>()).add(where);
                }
            }
        });

        assertThat(unknown)
                .as("metrics neither exported by the app nor by a listed exporter")
                .isEmpty();
        assertThat(DeployFiles.appMetricNames())
                .contains("http_server_requests_seconds_bucket", "hikaricp_connections_pending");
    }

    @Test
    void metricNamesAreReadFromExpressions() {
        Map<String, Set<String>> cases = new LinkedHashMap<>();
        cases.put(
                "sum by (job, le) (rate(http_server_requests_seconds_bucket{job=\"shortener\", uri!~\"/a|/b\"}[5m]))",
                Set.of("http_server_requests_seconds_bucket"));
        cases.put(
                "job:http_server_requests_5xx:rate5m / job:http_server_requests:rate5m > 0.05 and up == 0",
                Set.of("up"));
        cases.put(
                "max by (name) (container_memory_working_set_bytes{name!=\"\"} / (container_spec_memory_limit_bytes > 0))",
                Set.of("container_memory_working_set_bytes", "container_spec_memory_limit_bytes"));
        cases.forEach((expr, names) ->
                assertThat(DeployFiles.metricNames(expr)).as(expr).containsExactlyInAnyOrderElementsOf(names));
    }

    private static boolean supportsUrlFiles() {
        Matcher version = Pattern.compile("version (\\d+)\\.(\\d+)")
                .matcher(MonitoringTools.run("amtool", List.of("--version")).output());
        return version.find() && (Integer.parseInt(version.group(1)) > 0 || Integer.parseInt(version.group(2)) >= 28);
    }
}

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

    /** Series Prometheus makes itself for every target. */
    private static final Set<String> SCRAPE_SERIES = Set.of("up");

    /** Histograms and summaries are exported as these series of their family. */
    private static final Pattern SERIES_OF_FAMILY = Pattern.compile("(.+)_(bucket|sum|count)");

    private static final Path EXPORTER_METRICS = DeployFiles.PROMETHEUS.resolve("exporter-metrics");

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
    void rulesAndDashboardsReadOnlyMetricsThatTheAppOrAnExporterOfTheStackExports() throws IOException {
        Map<String, String> exported = exporterFamilies();
        Map<String, Set<String>> unknown = new TreeMap<>();
        DeployFiles.allExpressions().forEach((where, expr) -> {
            for (String name : DeployFiles.metricNames(expr)) {
                boolean app = DeployFiles.APP_PREFIXES.stream().anyMatch(name::startsWith);
                if (!app && !SCRAPE_SERIES.contains(name) && !isSeriesOf(exported, name)) {
                    unknown.computeIfAbsent(name, n -> new TreeSet<>()).add(where);
                }
            }
        });

        assertThat(unknown)
                .as("metrics neither exported by the app nor by an exporter (deploy/prometheus/exporter-metrics)")
                .isEmpty();
        assertThat(DeployFiles.appMetricNames())
                .contains("http_server_requests_seconds_bucket", "hikaricp_connections_pending");
    }

    @Test
    void theExporterListsAreRealListsAndNamesOutsideThemAreCaught() throws IOException {
        Map<String, String> exported = exporterFamilies();

        assertThat(exported)
                .as("one family of each exporter file and the backup script's")
                .containsEntry("node_filesystem_avail_bytes", "gauge")
                .containsEntry("pg_stat_database_xact_commit", "counter")
                .containsEntry("redis_commands_processed_total", "counter")
                .containsEntry("nginx_http_requests_total", "counter")
                .containsEntry("container_memory_working_set_bytes", "gauge")
                .containsEntry("barman_cloud_cloudnative_pg_io_last_available_backup_timestamp", "gauge")
                .containsEntry("backup_last_success_timestamp_seconds", "gauge");
        assertThat(exported).hasSizeGreaterThan(500);
        assertThat(isSeriesOf(exported, "go_gc_duration_seconds_count"))
                .as("a summary's count")
                .isTrue();
        assertThat(isSeriesOf(exported, "node_filesystem_avail_bytes_count"))
                .as("a gauge has no count")
                .isFalse();
        assertThat(isSeriesOf(exported, "cnpg_collector_last_available_backup_timestamp"))
                .as("in-core CloudNativePG backup time, not updated by plugin backups")
                .isFalse();
        assertThat(isSeriesOf(exported, "container_fs_reads_bytes_total"))
                .as("cAdvisor's diskIO group, disabled in the stack")
                .isFalse();
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafanaDataSourceLinksPointAtProvisionedDataSources() {
        Map<String, Object> provisioning =
                DeployFiles.yaml(Path.of("deploy", "grafana", "provisioning", "datasources", "datasources.yml"));
        List<Map<String, Object>> sources = (List<Map<String, Object>>) provisioning.get("datasources");
        Set<String> uids = new TreeSet<>();
        sources.forEach(source -> uids.add((String) source.get("uid")));
        assertThat(uids).contains("prometheus", "loki", "tempo");

        Set<String> linked = new TreeSet<>();
        Matcher uid = Pattern.compile("datasourceUid=(\\w+)").matcher(sources.toString());
        while (uid.find()) {
            linked.add(uid.group(1));
        }
        assertThat(linked).as("metrics and logs link to traces, traces to logs").contains("tempo", "loki");
        assertThat(uids).containsAll(linked);
        assertThat(sources.toString())
                .as("the exemplar label Micrometer writes and the log field the app writes")
                .contains("name=trace_id", "matcherRegex=trace_id")
                .contains("trace_id = \"$${__trace.traceId}\"");
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

    /** Family name to type, from exporter-metrics/*.txt and the "# TYPE" lines of deploy/backup.sh. */
    private static Map<String, String> exporterFamilies() throws IOException {
        Map<String, String> families = new TreeMap<>();
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXPORTER_METRICS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".txt")).toList()) {
                lines.addAll(Files.readAllLines(file));
            }
        }
        for (String line : lines) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] family = line.split(" ");
                families.put(family[0], family[1]);
            }
        }
        Matcher type = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$")
                .matcher(Files.readString(DeployFiles.DEPLOY.resolve("backup.sh")));
        while (type.find()) {
            families.put(type.group(1), type.group(2));
        }
        return families;
    }

    private static boolean isSeriesOf(Map<String, String> families, String name) {
        if (families.containsKey(name)) {
            return true;
        }
        Matcher series = SERIES_OF_FAMILY.matcher(name);
        return series.matches() && Set.of("histogram", "summary").contains(families.get(series.group(1)));
    }

    private static boolean supportsUrlFiles() {
        Matcher version = Pattern.compile("version (\\d+)\\.(\\d+)")
                .matcher(MonitoringTools.run("amtool", List.of("--version")).output());
        return version.find() && (Integer.parseInt(version.group(1)) > 0 || Integer.parseInt(version.group(2)) >= 28);
    }
}

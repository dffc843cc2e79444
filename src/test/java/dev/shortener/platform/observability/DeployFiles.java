package dev.shortener.platform.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the monitoring configuration under deploy/: rules, unit tests, dashboards. */
final class DeployFiles {

    static final Path DEPLOY = Path.of("deploy").toAbsolutePath();
    static final Path PROMETHEUS = DEPLOY.resolve("prometheus");
    static final Path RULES = PROMETHEUS.resolve("rules");
    static final Path RULE_TESTS = PROMETHEUS.resolve("tests");
    static final Path ALERTMANAGER = DEPLOY.resolve("alertmanager");
    static final Path DASHBOARDS = DEPLOY.resolve("grafana").resolve("dashboards");

    /** Metric name prefixes of the families the application exports itself. */
    static final List<String> APP_PREFIXES =
            List.of("shortener_", "http_server_", "hikaricp_", "jvm_", "process_", "lettuce_", "system_", "executor_");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern BRACES = Pattern.compile("\\{[^}]*}|\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.])([a-zA-Z_:][\\w:]*)(?![\\w:]*\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "offset",
            "inf",
            "nan");

    private DeployFiles() {}

    static List<Path> ruleFiles() {
        return list(RULES, ".yml");
    }

    static List<Path> ruleTestFiles() {
        return list(RULE_TESTS, ".yml");
    }

    static List<Path> dashboardFiles() {
        return list(DASHBOARDS, ".json");
    }

    /** Every rule of the rule files: alert or record name to its expression. */
    @SuppressWarnings("unchecked")
    static Map<String, String> rules(String kind) {
        Map<String, String> rules = new LinkedHashMap<>();
        for (Path file : ruleFiles()) {
            Map<String, Object> root = yaml(file);
            for (Map<String, Object> group : (List<Map<String, Object>>) root.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    if (rule.containsKey(kind)) {
                        rules.put((String) rule.get(kind), String.valueOf(rule.get("expr")));
                    }
                }
            }
        }
        return rules;
    }

    /** The rules' annotations by alert name. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, String>> alertAnnotations() {
        Map<String, Map<String, String>> annotations = new LinkedHashMap<>();
        for (Path file : ruleFiles()) {
            Map<String, Object> root = yaml(file);
            for (Map<String, Object> group : (List<Map<String, Object>>) root.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    if (rule.containsKey("alert")) {
                        annotations.put((String) rule.get("alert"), (Map<String, String>)
                                rule.getOrDefault("annotations", Map.of()));
                    }
                }
            }
        }
        return annotations;
    }

    /** The Prometheus expressions of every dashboard panel, Grafana variables replaced by a match-all. */
    static Map<String, String> dashboardExpressions() {
        Map<String, String> expressions = new LinkedHashMap<>();
        JsonMapper json = JsonMapper.builder().build();
        for (Path file : dashboardFiles()) {
            JsonNode board = json.readTree(file.toFile());
            for (JsonNode panel : board.get("panels")) {
                for (JsonNode target : panel.get("targets")) {
                    String type = target.path("datasource").path("type").asString();
                    if ("prometheus".equals(type)) {
                        String where =
                                file.getFileName() + " / " + panel.get("title").asString() + " / "
                                        + target.get("refId").asString();
                        expressions.put(where, target.get("expr").asString().replace("$instance", ".*"));
                    }
                }
            }
        }
        return expressions;
    }

    /** Every PromQL expression of the rules and dashboards, named by where it is. */
    static Map<String, String> allExpressions() {
        Map<String, String> all = new LinkedHashMap<>();
        rules("record").forEach((name, expr) -> all.put("record " + name, expr));
        rules("alert").forEach((name, expr) -> all.put("alert " + name, expr));
        all.putAll(dashboardExpressions());
        return all;
    }

    /** The metric names an expression reads (recording-rule names, with a colon, are left out). */
    static Set<String> metricNames(String expr) {
        String text = STRING.matcher(expr).replaceAll(" ");
        text = BRACES.matcher(text).replaceAll(" ");
        text = GROUPING.matcher(text).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = IDENTIFIER.matcher(text);
        while (matcher.find()) {
            String name = matcher.group(1);
            if (!name.contains(":") && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    /** Names of the application's own metric families that the rules and dashboards read. */
    static Set<String> appMetricNames() {
        Set<String> names = new TreeSet<>();
        for (String expr : allExpressions().values()) {
            for (String name : metricNames(expr)) {
                if (APP_PREFIXES.stream().anyMatch(name::startsWith)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    static Map<String, Object> yaml(Path file) {
        try {
            return new Yaml().load(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return new ArrayList<>(
                    files.filter(p -> p.toString().endsWith(suffix)).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

#!/usr/bin/env python3
"""Writes the Grafana dashboards of deploy/grafana/dashboards/ (run after changing this file).

Dashboards are generated so that every panel has the same shape; the JSON files are committed and
checked by MonitoringConfigTest (every expression names metrics that really exist).
"""
import json
import pathlib

PROM = {"type": "prometheus", "uid": "prometheus"}
LOKI = {"type": "loki", "uid": "loki"}
APP = 'job="shortener", instance=~"$instance"'
REDIRECT_ROUTES = 'uri=~"/[{][^/]+[}]|/urls/[{][^/]+[}]/redirect"'
IMPORT_ROUTES = 'uri=~".*/bulk|/imports.*"'


def q(expr, legend=""):
    return (expr, legend)


def ts(title, targets, unit="short", stack=False):
    return {"type": "timeseries", "title": title, "unit": unit, "targets": targets, "stack": stack}


def stat(title, expr, unit="short"):
    return {"type": "stat", "title": title, "unit": unit, "targets": [q(expr)]}


def logs(title, expr):
    return {"type": "logs", "title": title, "targets": [q(expr)], "datasource": LOKI, "full": True}


def quantiles(selector, by="", rate="5m"):
    group = f"sum by ({by + ', ' if by else ''}le)"
    return [
        q(f"histogram_quantile({p}, {group} (rate({selector}[{rate}])))", f"p{int(p * 100)}{' {{' + by + '}}' if by else ''}")
        for p in (0.5, 0.95, 0.99)
    ]


INSTANCE_VAR = {
    "name": "instance",
    "label": "Instance",
    "type": "query",
    "datasource": PROM,
    "query": {"query": 'label_values(up{job="shortener"}, instance)', "refId": "instances"},
    "definition": 'label_values(up{job="shortener"}, instance)',
    "includeAll": True,
    "multi": True,
    "allValue": ".*",
    "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
    "refresh": 2,
}


def textbox(name, label, default=""):
    return {"name": name, "label": label, "type": "textbox", "query": default,
            "current": {"text": default, "value": default}}


def custom(name, label, values, default):
    return {"name": name, "label": label, "type": "custom", "query": ",".join(values), "includeAll": False,
            "multi": False, "current": {"text": default, "value": default},
            "options": [{"text": v, "value": v, "selected": v == default} for v in values]}


def dashboard(uid, title, panels, variables=(INSTANCE_VAR,), description=""):
    out, x, y, row_height, pid = [], 0, 0, 0, 1
    for panel in panels:
        full = panel.get("full", False)
        width = 24 if full else (6 if panel["type"] == "stat" else 12)
        height = 4 if panel["type"] == "stat" else (10 if panel["type"] == "logs" else 8)
        if x + width > 24:
            x, y, row_height = 0, y + row_height, 0
        row_height = max(row_height, height)
        datasource = panel.get("datasource", PROM)
        item = {
            "id": pid,
            "type": panel["type"],
            "title": panel["title"],
            "datasource": datasource,
            "gridPos": {"x": x, "y": y, "w": width, "h": height},
            "targets": [
                {"refId": chr(ord("A") + i), "datasource": datasource, "expr": expr, "legendFormat": legend}
                for i, (expr, legend) in enumerate(panel["targets"])
            ],
        }
        if panel["type"] == "timeseries":
            item["fieldConfig"] = {"defaults": {"unit": panel["unit"], "custom": {
                "stacking": {"mode": "normal" if panel["stack"] else "none"}, "fillOpacity": 10}}, "overrides": []}
            item["options"] = {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}}
        elif panel["type"] == "stat":
            item["fieldConfig"] = {"defaults": {"unit": panel["unit"]}, "overrides": []}
            item["options"] = {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "value"}
        else:
            item["options"] = {"showTime": True, "wrapLogMessage": True, "sortOrder": "Descending",
                               "enableLogDetails": True}
        out.append(item)
        pid += 1
        x += width
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["shortener"],
        "timezone": "utc",
        "editable": False,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-3h", "to": "now"},
        "templating": {"list": list(variables)},
        "annotations": {"list": []},
        "links": [{"type": "dashboards", "tags": ["shortener"], "asDropdown": True, "title": "Shortener"}],
        "panels": out,
    }


DASHBOARDS = {
    "service-overview": dashboard("shortener-overview", "Shortener / Service overview", [
        stat("Requests per second", f"sum(rate(http_server_requests_seconds_count{{{APP}}}[5m]))", "reqps"),
        stat("5xx ratio (5m)", "job:http_server_requests_5xx:ratio_rate5m", "percentunit"),
        stat("p95 latency (5m)", "job:http_server_requests_seconds:p95_5m", "s"),
        stat("Instances up", 'sum(up{job="shortener"})'),
        ts("Rate: requests by route", [q(f"sum by (method, uri) (rate(http_server_requests_seconds_count{{{APP}}}[5m]))",
                                         "{{method}} {{uri}}")], "reqps"),
        ts("Errors: responses by status", [q(f'sum by (status) (rate(http_server_requests_seconds_count{{{APP}, status=~"[45].."}}[5m]))',
                                             "{{status}}")], "reqps", stack=True),
        ts("Duration: p50 / p95 / p99", quantiles(f"http_server_requests_seconds_bucket{{{APP}, uri!~\".*/bulk|/imports.*|/metrics\"}}"), "s"),
        ts("Duration: p95 by route", [q(f"histogram_quantile(0.95, sum by (uri, le) (rate(http_server_requests_seconds_bucket{{{APP}}}[5m])))",
                                        "{{uri}}")], "s"),
        ts("Error ratios", [q("job:http_server_requests_5xx:ratio_rate5m", "5xx"),
                            q("job:http_server_requests_4xx:ratio_rate5m", "4xx")], "percentunit"),
        ts("In-flight requests", [q(f"sum by (instance) (http_server_requests_active_seconds_count{{{APP}}})", "{{instance}}")]),
    ], description="RED view of the HTTP API: rate, errors and duration per route."),

    "redirects-cache": dashboard("shortener-redirects", "Shortener / Redirects & cache", [
        ts("Redirects by outcome", [q('sum by (outcome) (rate(shortener_redirects_total{instance=~"$instance"}[5m]))', "{{outcome}}")],
           "reqps", stack=True),
        ts("Redirects served from cache", [q("job:shortener_redirects_cached:ratio_rate10m", "cached share")], "percentunit"),
        ts("Cache hit ratio by level", [q("level:shortener_cache_requests_hit:ratio_rate5m", "{{level}}")], "percentunit"),
        ts("Cache lookups by level and result", [q('sum by (level, result) (rate(shortener_cache_requests_total{instance=~"$instance"}[5m]))',
                                                   "{{level}} {{result}}")], "reqps"),
        ts("Redirect latency", quantiles(f"http_server_requests_seconds_bucket{{{APP}, {REDIRECT_ROUTES}}}"), "s"),
        ts("Clicks: queued, flushed, lost", [
            q('sum(rate(shortener_clicks_queued_total{instance=~"$instance"}[5m]))', "queued"),
            q('sum(rate(shortener_clicks_flushed_total{instance=~"$instance"}[5m]))', "flushed"),
            q('sum by (reason) (rate(shortener_clicks_lost_total{instance=~"$instance"}[5m]))', "lost: {{reason}}")], "ops"),
        ts("PostgreSQL behind: paced redirects, failed loads", [
            q('sum(rate(shortener_clicks_paced_total{instance=~"$instance"}[5m]))', "paced redirects"),
            q('sum(rate(shortener_clicks_load_failures_total{instance=~"$instance"}[5m]))', "failed loads")], "ops"),
        ts("Clicks waiting: queue, not yet in PostgreSQL", [
            q('shortener_clicks_queue_depth{instance=~"$instance"}', "queue {{instance}}"),
            q('shortener_clicks_backlog{instance=~"$instance"}', "backlog {{instance}}")]),
        ts("Click journal size", [q('shortener_clicks_journal_bytes{instance=~"$instance"}', "{{instance}}")], "bytes"),
        ts("Click batch size", [
            q('sum(rate(shortener_clicks_batch_size_sum{instance=~"$instance"}[5m])) / sum(rate(shortener_clicks_batch_size_count{instance=~"$instance"}[5m]))', "average"),
            q('max(shortener_clicks_batch_size_max{instance=~"$instance"})', "max")]),
        ts("Click lag (taken to committed)", [
            q('sum(rate(shortener_clicks_lag_seconds_sum{instance=~"$instance"}[5m])) / sum(rate(shortener_clicks_lag_seconds_count{instance=~"$instance"}[5m]))', "average"),
            q('max(shortener_clicks_lag_seconds_max{instance=~"$instance"})', "max")], "s"),
        ts("Redis circuit open", [q('shortener_redis_circuit_open{instance=~"$instance"}', "{{instance}}")]),
        ts("Redis command latency p95", [q('histogram_quantile(0.95, sum by (command, le) (rate(lettuce_command_completion_seconds_bucket{instance=~"$instance"}[5m])))',
                                           "{{command}}")], "s"),
        ts("Redis commands", [q('sum by (command) (rate(lettuce_command_completion_seconds_count{instance=~"$instance"}[5m]))', "{{command}}")], "ops"),
    ], description="The hot path: redirect outcomes, cache levels, the click pipeline and Redis."),

    "database-sql": dashboard("shortener-database", "Shortener / Database & SQL", [
        ts("Pool connections", [
            q('sum by (instance) (hikaricp_connections_active{instance=~"$instance"})', "active {{instance}}"),
            q('sum by (instance) (hikaricp_connections_idle{instance=~"$instance"})', "idle {{instance}}"),
            q('sum by (instance) (hikaricp_connections_pending{instance=~"$instance"})', "pending {{instance}}"),
            q('max(hikaricp_connections_max{instance=~"$instance"})', "max")]),
        ts("Connection acquisition", [
            q('sum by (instance) (rate(hikaricp_connections_acquire_seconds_sum{instance=~"$instance"}[5m])) / sum by (instance) (rate(hikaricp_connections_acquire_seconds_count{instance=~"$instance"}[5m]))', "average {{instance}}"),
            q('max by (instance) (hikaricp_connections_acquire_seconds_max{instance=~"$instance"})', "max {{instance}}")], "s"),
        ts("Acquisition timeouts (5m)", [q('sum by (instance) (increase(hikaricp_connections_timeout_total{instance=~"$instance"}[5m]))', "{{instance}}")]),
        ts("Connection held time", [
            q('sum by (instance) (rate(hikaricp_connections_usage_seconds_sum{instance=~"$instance"}[5m])) / sum by (instance) (rate(hikaricp_connections_usage_seconds_count{instance=~"$instance"}[5m]))', "average {{instance}}")], "s"),
        ts("Statements by operation", [q('sum by (operation) (rate(shortener_sql_statements_seconds_count{instance=~"$instance"}[5m]))', "{{operation}}")],
           "ops", stack=True),
        ts("Statement duration p95 by operation", [q("operation:shortener_sql_statements_seconds:p95_5m", "{{operation}}")], "s"),
        ts("Statements per request", quantiles('shortener_sql_statements_per_request_bucket{instance=~"$instance"}')),
        ts("N+1 detections (5m)", [q('sum by (instance) (increase(shortener_sql_n_plus_one_total{instance=~"$instance"}[5m]))', "{{instance}}")]),
        stat("PostgreSQL up", "min(pg_up)"),
        stat("Database size", 'sum(pg_database_size_bytes{datname!~"template.*"})', "bytes"),
        ts("PostgreSQL backends", [q('sum by (datname) (pg_stat_database_numbackends{datname!~"template.*"})', "{{datname}}")]),
        ts("Transactions", [
            q('sum(rate(pg_stat_database_xact_commit{datname!~"template.*"}[5m]))', "commits"),
            q('sum(rate(pg_stat_database_xact_rollback{datname!~"template.*"}[5m]))', "rollbacks")], "ops"),
    ], description="HikariCP pool, SQL statement timing, statements per request, N+1 and PostgreSQL."),

    "jvm": dashboard("shortener-jvm", "Shortener / JVM", [
        ts("Heap used", [
            q('sum by (instance) (jvm_memory_used_bytes{area="heap", instance=~"$instance"})', "used {{instance}}"),
            q('sum by (instance) (jvm_memory_committed_bytes{area="heap", instance=~"$instance"})', "committed {{instance}}")], "bytes"),
        ts("Non-heap used", [q('sum by (instance) (jvm_memory_used_bytes{area="nonheap", instance=~"$instance"})', "{{instance}}")], "bytes"),
        ts("GC pause time per second", [q('sum by (instance, gc) (rate(jvm_gc_pause_seconds_sum{instance=~"$instance"}[5m]))', "{{instance}} {{gc}}")], "s"),
        ts("Longest GC pause", [q('max by (instance) (jvm_gc_pause_seconds_max{instance=~"$instance"})', "{{instance}}")], "s"),
        ts("Allocation rate", [q('sum by (instance) (rate(jvm_gc_memory_allocated_bytes_total{instance=~"$instance"}[5m]))', "{{instance}}")], "Bps"),
        ts("Platform threads", [
            q('sum by (instance) (jvm_threads_live_threads{instance=~"$instance"})', "live {{instance}}"),
            q('sum by (instance) (jvm_threads_daemon_threads{instance=~"$instance"})', "daemon {{instance}}")]),
        ts("CPU", [
            q('max by (instance) (process_cpu_usage{instance=~"$instance"})', "process {{instance}}"),
            q('max by (instance) (system_cpu_usage{instance=~"$instance"})', "system {{instance}}")], "percentunit"),
        ts("Load average (1m) per core", [
            q('max by (instance) (system_load_average_1m{instance=~"$instance"}) / max by (instance) (system_cpu_count{instance=~"$instance"})', "{{instance}}")]),
        ts("Open files", [
            q('max by (instance) (process_files_open_files{instance=~"$instance"})', "open {{instance}}"),
            q('max by (instance) (process_files_max_files{instance=~"$instance"})', "limit {{instance}}")]),
        ts("Direct and mapped buffers", [q('sum by (instance, id) (jvm_buffer_memory_used_bytes{instance=~"$instance"})', "{{instance}} {{id}}")], "bytes"),
        ts("Uptime", [q('max by (instance) (process_uptime_seconds{instance=~"$instance"})', "{{instance}}")], "s"),
    ], description="Memory, garbage collection, threads and CPU of each instance."),

    "import-jobs": dashboard("shortener-imports", "Shortener / Import jobs", [
        stat("Rows imported (1h)", 'sum(increase(shortener_import_rows_total{outcome="imported"}[1h]))'),
        stat("Rows failed (1h)", 'sum(increase(shortener_import_rows_total{outcome="failed"}[1h]))'),
        stat("Dead letters waiting", "max(shortener_import_dead_letters)"),
        stat("Jobs failed (24h)", 'sum(increase(shortener_import_jobs_total{state="failed"}[24h]))'),
        ts("Rows by entity and outcome", [q('sum by (entity, outcome) (rate(shortener_import_rows_total{instance=~"$instance"}[5m]))',
                                            "{{entity}} {{outcome}}")], "rps"),
        ts("Jobs finished", [q('sum by (state) (increase(shortener_import_jobs_total{instance=~"$instance"}[5m]))', "{{state}}")]),
        ts("Dead-letter queue depth", [q("max(shortener_import_dead_letters)", "depth")]),
        ts("Rows dead-lettered", [q('sum(rate(shortener_import_dead_lettered_total{instance=~"$instance"}[5m]))', "rows/s")], "rps"),
        ts("Upload request latency", quantiles(f"http_server_requests_seconds_bucket{{{APP}, {IMPORT_ROUTES}}}"), "s"),
        ts("Bulk SQL statements", [q('sum by (operation) (rate(shortener_sql_statements_seconds_count{instance=~"$instance", operation=~"copy|insert|other"}[5m]))',
                                     "{{operation}}")], "ops"),
    ], description="CSV imports: rows, jobs and the dead-letter queue."),

    "containers": dashboard("shortener-containers", "Shortener / Containers", [
        ts("CPU by container", [q('sum by (name) (rate(container_cpu_usage_seconds_total{name!=""}[5m]))', "{{name}}")], "percentunit"),
        ts("Memory working set", [q('sum by (name) (container_memory_working_set_bytes{name!=""})', "{{name}}")], "bytes"),
        ts("Memory used of limit", [q('max by (name) (container_memory_working_set_bytes{name!=""} / (container_spec_memory_limit_bytes{name!=""} > 0))', "{{name}}")],
           "percentunit"),
        ts("Network received / sent", [
            q('sum by (name) (rate(container_network_receive_bytes_total{name!=""}[5m]))', "rx {{name}}"),
            q('sum by (name) (rate(container_network_transmit_bytes_total{name!=""}[5m]))', "tx {{name}}")], "Bps"),
        ts("Host filesystem used", [q('max by (device) (container_fs_usage_bytes{id="/"} / (container_fs_limit_bytes{id="/"} > 0))', "{{device}}")], "percentunit"),
        ts("Host: memory available, CPU busy", [
            q("max by (instance) (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)", "memory available"),
            q('1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', "CPU busy")], "percentunit"),
        ts("Host filesystems used", [q('max by (mountpoint) (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs|nsfs"}'
                                       ' / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs|nsfs"})', "{{mountpoint}}")],
           "percentunit"),
        ts("nginx requests and connections", [
            q("sum(rate(nginx_http_requests_total[5m]))", "requests/s"),
            q("sum(nginx_connections_active)", "active connections")]),
        ts("Redis memory", [q("max(redis_memory_used_bytes)", "used"), q("max(redis_memory_max_bytes)", "maxmemory")], "bytes"),
        ts("Redis clients and commands", [
            q("max(redis_connected_clients)", "clients"),
            q("sum(rate(redis_commands_processed_total[5m]))", "commands/s")]),
        ts("Scrape targets up", [q("up", "{{job}} {{instance}}")]),
    ], variables=(), description="cAdvisor, nginx and Redis exporters: resources of every container."),

    "logs": dashboard("shortener-logs", "Shortener / Logs", [
        {"type": "timeseries", "title": "Log lines by level", "unit": "short", "stack": True, "datasource": LOKI,
         "targets": [q('sum by (level) (count_over_time({service=~"app.*"}[1m]))', "{{level}}")]},
        {"type": "timeseries", "title": "Server errors in access lines", "unit": "short", "stack": True, "datasource": LOKI,
         "targets": [q('sum by (route) (count_over_time({service=~"app.*"} | logger="dev.shortener.access" | json | status >= 500 [1m]))',
                       "{{route}}")]},
        logs("Application logs", '{service=~"app.*", level=~"$level"} |~ "$search"'),
        logs("One request (set request_id)", '{service=~".+"} | request_id="$request_id"'),
        logs("Slow SQL and N+1 warnings", '{service=~"app.*"} |~ "slow_sql|n_plus_one"'),
        logs("Errors", '{service=~".+", level=~"ERROR|error|WARN|warn"}'),
    ], variables=(custom("level", "Level", ["ERROR|WARN", "ERROR|WARN|INFO", ".+"], "ERROR|WARN|INFO"),
                  textbox("search", "Search (regex)"),
                  textbox("request_id", "Request id")),
        description="Loki: structured application logs shipped by Alloy."),
}

SLO_API_ROUTES = 'uri!~"/[{][^/]+[}]|/urls/[{][^/]+[}]/redirect|NOT_FOUND"'


def budget_left(bad, total, budget, window="15d"):
    """Share of an objective's error budget not yet spent over the window Prometheus keeps."""
    return f"1 - (sum(increase({bad}[{window}])) / sum(increase({total}[{window}]))) / {budget}"


def burn_rates(sli, budget):
    return [q(f"job:slo_{sli}:ratio_rate{w} / {budget}", w) for w in ("5m", "1h", "6h")]


DASHBOARDS["slo"] = dashboard("shortener-slo", "Shortener / Service level objectives", [
    stat("Redirect availability budget left (15d)", budget_left(
        f'http_server_requests_seconds_count{{job="shortener", {REDIRECT_ROUTES}, status=~"5.."}}',
        f'http_server_requests_seconds_count{{job="shortener", {REDIRECT_ROUTES}}}', 0.0005), "percentunit"),
    stat("Redirect latency budget left (15d)", "1 - (1 - sum(increase(http_server_requests_seconds_bucket"
         f'{{job="shortener", {REDIRECT_ROUTES}, le="0.025"}}[15d])) / sum(increase(http_server_requests_seconds_count'
         f'{{job="shortener", {REDIRECT_ROUTES}}}[15d]))) / 0.01', "percentunit"),
    stat("API availability budget left (15d)", budget_left(
        f'http_server_requests_seconds_count{{job="shortener", {SLO_API_ROUTES}, status=~"5.."}}',
        f'http_server_requests_seconds_count{{job="shortener", {SLO_API_ROUTES}}}', 0.001), "percentunit"),
    stat("Redirect latency: share over 25 ms (1h)", "job:slo_redirect_slow:ratio_rate1h", "percentunit"),
    ts("Burn rate: redirect availability (1 = on budget; pages at 14.4 over 1h and 5m, 6 over 6h and 30m)",
       burn_rates("redirect_errors", 0.0005)),
    ts("Burn rate: redirect latency (25 ms)", burn_rates("redirect_slow", 0.01)),
    ts("Burn rate: API availability", burn_rates("api_errors", 0.001)),
], variables=(), description="Objectives of docs/operations.md: redirect availability 99.95%, "
   "redirect latency 99% within 25 ms, API availability 99.9%; budgets over 30 days, shown over what Prometheus keeps.")

if __name__ == "__main__":
    target = pathlib.Path(__file__).resolve().parent / "dashboards"
    target.mkdir(exist_ok=True)
    for name, board in DASHBOARDS.items():
        (target / f"{name}.json").write_text(json.dumps(board, indent=2) + "\n")
        print(f"wrote {target / (name + '.json')}")

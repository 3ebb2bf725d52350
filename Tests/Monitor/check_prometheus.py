#!/usr/bin/env python3
"""The monitor/ test: Prometheus configuration, alert rules and Grafana dashboards against a live StockCast.

1. Static: `promtool check config monitor/prometheus.yml`, `promtool check rules monitor/alerts.yml` and
   `promtool test rules Tests/Monitor/alerts_test.yml` (each rule fires over its threshold, stays quiet under it); every
   dashboard is valid Grafana JSON on the provisioned datasource uid with built-in panel types; every alert has
   `for`, a severity and summary/description; every metric, label and documented label value named by a dashboard
   or rule expression is in the "Prometheus metrics" table of docs/STREAMS.md.
2. Live: starts `stockcast serve` ($STOCKCAST_BIN, default .build/debug/stockcast) on a free port with a temporary
   data directory and the bundled sample data, and a real Prometheus on another free port, scraping it every
   second and loading monitor/alerts.yml (a copy of monitor/prometheus.yml with the target and intervals replaced).
   It connects a WebSocket client to each /ws/ channel and exercises the server: GETs including 404s, registers and
   trains a model and waits for the task, promotes it, predicts, runs a multi-day forecast and an ETL run.
3. Once Prometheus has scraped after the exercise and evaluated the rules, it checks:
   - every metric of the contract is exposed, with its type, its labels and only documented label values;
   - the exercised counters moved;
   - every dashboard expression (template variables substituted: $instance -> the scraped instance, escaped as
     Grafana does, $ticker -> GOOG, $__rate_interval -> 1m, $__range -> 5m, $__interval -> 15s) is valid and
     returns at least one series; every `label_values(selector, label)` variable finds the label;
   - every alert rule expression is valid as written, and returns at least one series once its comparisons are made
     `bool` comparisons (`x > 1` -> `x > bool 1`): a filtering comparison is empty while all is well, the `bool`
     form returns every compared series with 0/1, so an empty answer means an operand selects nothing;
   - /api/v1/rules shows every group of alerts.yml with every rule's health "ok".
Exits 1 listing every failure; the last line is "monitor: N passed, M failed". Everything started is stopped on
exit, including on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml  # noqa: E402

from live import (CheckFailed, ManagedProcess, PrometheusAPI, WebSocketListener, environment_without,  # noqa: E402
                  free_port, http, wait_until)
from monitor_files import (Expression, MetricSpec, check_references, dashboard_expressions,  # noqa: E402
                           lint_dashboard, lint_rules, load_contract, load_dashboards, rule_expressions,
                           series_names, split_label_values)
from promql import grafana_regex_value, substitute_variables, with_bool_comparisons  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MONITOR = ROOT / "monitor"
CHANNELS = ("predictions", "metrics", "alerts", "tasks")
TICKER = "GOOG"
EXCHANGE = "NASDAQ"
SAMPLE_CSV = "csv:sample/goog.csv"  # inside <data_dir>/import/, written by the first start
PAST_SESSION = "2013-02-28"  # the sample GOOG series ends on 2013-03-01
NEXT_SESSION = "2013-03-04"
TARGET_LABELS = {"instance", "job"}


@dataclass
class Report:
    passed: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, ok: bool, failure: str) -> bool:
        if ok:
            self.passed += 1
        else:
            self.failures.append(failure)
        return ok

    def extend(self, problems: list[str], checks: int) -> None:
        """`checks` checks, of which `problems` failed."""
        self.failures.extend(problems)
        self.passed += max(checks - len(problems), 0)


# ---------------------------------------------------------------------------------------------------------------
# Static part


def run_promtool(report: Report, promtool: str) -> None:
    for argv in ([promtool, "check", "config", str(MONITOR / "prometheus.yml")],
                 [promtool, "check", "rules", str(MONITOR / "alerts.yml")],
                 [promtool, "test", "rules", str(Path(__file__).resolve().parent / "alerts_test.yml")]):
        result = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
        output = (result.stdout + result.stderr).strip()
        print(f"$ {' '.join(argv[:3])} {os.path.relpath(argv[3], ROOT)}\n{output}")
        report.check(result.returncode == 0, f"{' '.join(argv[1:3])} failed:\n{output}")


def static_checks(report: Report, promtool: str) -> tuple[dict[str, MetricSpec], list[Expression],
                                                             list[tuple[str, str, Expression]]]:
    run_promtool(report, promtool)
    contract = load_contract(ROOT / "docs" / "STREAMS.md")
    boards = load_dashboards(MONITOR / "grafana" / "dashboards")
    for expected in ("api.json", "models.json", "predictions.json", "system.json"):
        report.check(expected in boards, f"monitor/grafana/dashboards/{expected} is missing")
    expressions: list[Expression] = []
    for name, board in boards.items():
        report.extend(lint_dashboard(name, board), 1)
        expressions.extend(dashboard_expressions(name, board))
    rules = rule_expressions(MONITOR / "alerts.yml")
    report.extend(lint_rules(MONITOR / "alerts.yml"), len(rules))
    placeholder = {"instance": grafana_regex_value("127.0.0.1:8080"), "ticker": TICKER}
    for expression in expressions + [rule for _, _, rule in rules]:
        expression.query, unknown = substitute_variables(expression.expr, {**placeholder, **BUILTIN_VARIABLES})
        if unknown:
            report.failures.append(f"{expression.origin}: unknown template variable(s) {', '.join(unknown)}")
            continue
        report.extend(check_references(expression, contract), 1)
    print(f"static: {len(boards)} dashboards, {len(expressions)} dashboard expressions, {len(rules)} rules, "
          f"{len(contract)} metrics in docs/STREAMS.md")
    return contract, expressions, rules


BUILTIN_VARIABLES = {"__rate_interval": "1m", "__interval": "15s", "__range": "5m", "__range_s": "300",
                     "__interval_ms": "15000"}


# ---------------------------------------------------------------------------------------------------------------
# Live part: processes


@dataclass
class Server:
    process: ManagedProcess
    base: str
    address: str
    key: str


def start_server(binary: Path, scratch: Path, processes: list[ManagedProcess]) -> Server:
    port = free_port()
    data_dir = scratch / "data"
    env = environment_without("STOCKCAST_")
    env["SWIFT_BACKTRACE"] = "enable=no"
    # Digest every second: per-ticker gauges (champion, freshness) are refreshed every 6 digests.
    env["STOCKCAST_METRICS_PUBLISH_INTERVAL_SECONDS"] = "1"
    process = ManagedProcess("stockcast", [str(binary), "serve", "--data-dir", str(data_dir), "--host", "127.0.0.1",
                                           "--port", str(port)], cwd=scratch, log_path=scratch / "stockcast.log",
                             env=env)
    processes.append(process)
    process.start()
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if not process.running():
            raise CheckFailed(f"stockcast serve exited:\n{process.log_tail()}")
        return http("GET", f"{base}/health", timeout=5)[0] == 200

    wait_until(healthy, "stockcast serve to answer /health", timeout=120)
    key = (data_dir / "admin.key").read_text().strip()

    def sample_data_ingested() -> bool:
        status, body = http("GET", f"{base}/api/etl/runs?limit=20")
        runs = body.get("runs", []) if isinstance(body, dict) else []
        return status == 200 and len(runs) >= 2 and all(r.get("status") in ("completed", "failed") for r in runs)

    wait_until(sample_data_ingested, "the sample data ETL runs to finish", timeout=180)
    print(f"stockcast serve: {base} (data {data_dir})")
    return Server(process, base, f"127.0.0.1:{port}", key)


def start_prometheus(binary: str, server: Server, scratch: Path, processes: list[ManagedProcess]) -> PrometheusAPI:
    config = yaml.safe_load((MONITOR / "prometheus.yml").read_text())
    config.setdefault("global", {}).update({"scrape_interval": "1s", "scrape_timeout": "1s",
                                            "evaluation_interval": "1s"})
    config["rule_files"] = [str(MONITOR / "alerts.yml")]
    jobs = [job for job in config.get("scrape_configs", []) if job.get("job_name") == "stockcast"]
    if not jobs:
        raise CheckFailed("monitor/prometheus.yml has no scrape job 'stockcast'")
    jobs[0]["static_configs"] = [{"targets": [server.address]}]
    config_path = scratch / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    port = free_port()
    process = ManagedProcess("prometheus", [binary, f"--config.file={config_path}",
                                            f"--storage.tsdb.path={scratch / 'prometheus-data'}",
                                            f"--web.listen-address=127.0.0.1:{port}"],
                             cwd=scratch, log_path=scratch / "prometheus.log")
    processes.append(process)
    process.start()
    api = PrometheusAPI(f"http://127.0.0.1:{port}")

    def ready() -> bool:
        if not process.running():
            raise CheckFailed(f"prometheus exited:\n{process.log_tail()}")
        return http("GET", f"{api.base}/-/ready", timeout=5)[0] == 200

    wait_until(ready, "Prometheus to be ready", timeout=60)

    def scraped() -> bool:
        targets = [t for t in api.targets() if t.get("labels", {}).get("job") == "stockcast"]
        if targets and targets[0].get("lastError"):
            print(f"  scrape error so far: {targets[0]['lastError']}")
        return bool(targets) and targets[0].get("health") == "up"

    wait_until(scraped, "a successful scrape of the server", timeout=60, interval=0.5)
    print(f"prometheus: {api.base}, scraping {server.address} every 1 s")
    return api


# ---------------------------------------------------------------------------------------------------------------
# Live part: exercising the server


def exercise(server: Server, report: Report) -> None:
    base, key = server.base, server.key

    def expect(method: str, path: str, statuses: tuple[int, ...], body: object = None) -> object:
        status, answer = http(method, f"{base}{path}", body, key=key if method != "GET" else None)
        if status not in statuses:
            raise CheckFailed(f"{method} {path} -> {status} (expected {statuses}): {answer}")
        report.passed += 1
        return answer

    for path in ("/health", "/ready", "/api/datasets", f"/api/datasets/{TICKER}/prices?limit=5", "/api/models/",
                 "/api/etl/runs?limit=5", "/api/tasks?limit=5", "/openapi.json"):
        expect("GET", path, (200,))
    expect("GET", "/api/datasets/NOSUCHTICKER/prices", (404,))
    expect("GET", "/no/such/route", (404,))

    model = expect("POST", "/api/models/", (200, 201), {
        "ticker": TICKER, "exchange": EXCHANGE, "model_type": "linear_regression", "features": ["MA5", "RSI"],
        "train_start_date": "2010-01-04", "train_end_date": "2013-03-01", "val_size": 0.2, "hyper_parameters": {}})
    model_id = model["id"]
    task_id = expect("POST", "/api/train", (200, 202), {"model_id": model_id})["task_id"]

    def task_finished() -> dict | None:
        status, body = http("GET", f"{base}/api/train/status/{task_id}")
        return body if status == 200 and body.get("status") in ("completed", "failed", "cancelled") else None

    task = wait_until(task_finished, f"training task {task_id}", timeout=300, interval=0.5)
    if not report.check(task["status"] == "completed", f"training task ended {task['status']}: {task}"):
        return
    expect("POST", f"/api/models/{model_id}/promote?force=true", (200,))
    expect("POST", "/api/predict/", (200, 201), {"ticker": TICKER, "exchange": EXCHANGE, "target_date": PAST_SESSION})
    expect("POST", "/api/predict/", (200, 201), {"ticker": TICKER, "exchange": EXCHANGE, "target_date": NEXT_SESSION})
    expect("GET", f"/api/predict/?ticker={TICKER}&limit=5", (200,))
    forecast = expect("POST", "/api/predict/future/", (200, 202), {"ticker": TICKER, "exchange": EXCHANGE, "days": 3})

    def forecast_finished() -> dict | None:
        status, body = http("GET", f"{base}/api/predict/future/status/{forecast['task_id']}")
        return body if status == 200 and body.get("status") in ("completed", "failed", "cancelled") else None

    done = wait_until(forecast_finished, "the multi-day forecast task", timeout=300, interval=0.5)
    report.check(done["status"] == "completed", f"forecast task ended {done['status']}: {done}")

    # Track ^GSPC (stored from the sample) with a live source, so data_sessions_behind{live="true"} exists: the sample
    # ends in 2018, so it is thousands of sessions behind (the stale-data rule's operand has a series).
    expect("POST", "/api/etl/tickers", (200, 201), {"ticker": "^GSPC", "exchange": "NYSE", "source": "yahoo"})
    runs = expect("POST", "/api/run-etl", (200, 202), [{"ticker": TICKER, "exchange": EXCHANGE, "source": SAMPLE_CSV}])
    run_id = runs["run_ids"][0]

    def run_finished() -> dict | None:
        status, body = http("GET", f"{base}/api/etl/runs/{run_id}")
        run = body.get("run", {}) if status == 200 and isinstance(body, dict) else {}
        return run if run.get("status") in ("completed", "failed", "interrupted", "cancelled") else None

    run = wait_until(run_finished, f"ETL run {run_id}", timeout=180, interval=0.5)
    report.check(run["status"] == "completed", f"ETL run {run_id} ended {run['status']}: {run}")
    print(f"exercised: model {model_id} trained and promoted, 2 predictions, a 3-day forecast, ETL run {run_id}")


# What the exercise must have moved (each expression must return at least one series).
EXERCISED = [
    ("requests were counted", 'sum(http_requests_total{job="stockcast"}) > 10'),
    ("a 404 was counted", 'sum(http_requests_total{job="stockcast", status=~"404|4xx"}) > 0'),
    ("request durations were observed", 'sum(http_request_duration_seconds_count{job="stockcast"}) > 10'),
    ("successful predictions were counted", 'sum(predictions_total{job="stockcast", outcome="success"}) >= 2'),
    ("prediction durations were observed", 'sum(prediction_duration_seconds_count{job="stockcast"}) >= 1'),
    ("the training and forecast tasks were counted",
     'sum(training_tasks_total{job="stockcast", outcome="completed"}) >= 2'),
    ("task durations were observed", 'sum(training_task_duration_seconds_count{job="stockcast"}) >= 2'),
    ("ETL runs were counted (2 sample + 1)", 'sum(etl_runs_total{job="stockcast", outcome="completed"}) >= 3'),
    ("ETL rows were counted", 'sum(etl_rows_total{job="stockcast"}) > 0'),
    ("GOOG has a champion", f'champion_version{{job="stockcast", ticker="{TICKER}"}} >= 1'),
    ("the WebSocket clients are counted", f'sum(websocket_clients{{job="stockcast"}}) >= {len(CHANNELS)}'),
    ("frames were sent on /ws/predictions",
     'sum(websocket_frames_sent_total{job="stockcast", channel="predictions"}) > 0'),
    ("prediction events went through the event bus",
     'sum(event_bus_events_total{job="stockcast", topic="stock_predictions"}) > 0'),
    ("resident memory is reported", 'process_resident_memory_bytes{job="stockcast"} > 0'),
    ("CPU time is reported", 'process_cpu_seconds_total{job="stockcast"} > 0'),
    ("open file descriptors are reported", 'process_open_fds{job="stockcast"} > 0'),
]


# ---------------------------------------------------------------------------------------------------------------
# Live part: checks through Prometheus


def _rfc3339(text: str) -> float:
    """Prometheus timestamps carry nanoseconds; Python parses microseconds."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    return datetime.fromisoformat(text).timestamp()


def wait_for_fresh_data(api: PrometheusAPI, since: float) -> None:
    """Two scrapes and a rule evaluation after `since`, so rate() sees the exercised counters move."""
    def scraped_twice() -> bool:
        result = api.query('timestamp(up{job="stockcast"})')["data"]["result"]
        return bool(result) and float(result[0]["value"][1]) >= since + 2.5

    wait_until(scraped_twice, "two scrapes after the exercise", timeout=60, interval=0.5)

    def rules_evaluated() -> bool:
        groups = api.rules()
        return bool(groups) and all(_rfc3339(g["lastEvaluation"]) > since + 2 for g in groups)

    wait_until(rules_evaluated, "a rule evaluation after the exercise", timeout=60, interval=0.5)


def check_contract(api: PrometheusAPI, contract: dict[str, MetricSpec], report: Report) -> None:
    """Every metric of docs/STREAMS.md is exposed with its type, labels and documented values only."""
    exposed = api.metric_names()
    metadata = api.metadata()
    for spec in contract.values():
        names = series_names(spec)
        missing = [n for n in names if n not in exposed]
        if not report.check(not missing, f"contract: {spec.name} ({spec.type}) is not exposed "
                                         f"(no series {', '.join(missing)})"):
            continue
        types = {m.get("type") for m in metadata.get(spec.name, [])}
        report.check(spec.type in types, f"contract: {spec.name} is exposed as {sorted(types) or 'untyped'}, "
                                         f"docs/STREAMS.md says {spec.type}")
        series = api.series(names[0])
        allowed = set(spec.labels) | TARGET_LABELS | ({"le"} if spec.type == "histogram" else set())
        extra = sorted({label for s in series for label in s if label != "__name__"} - allowed)
        report.check(not extra, f"contract: {spec.name} has undocumented label(s) {', '.join(extra)}")
        for label, documented in spec.labels.items():
            lacking = [s for s in series if label not in s]
            report.check(not lacking, f"contract: {len(lacking)} of {len(series)} {spec.name} series lack "
                                      f"label {label!r}")
            if documented:
                seen = {s[label] for s in series if label in s}
                report.check(seen <= documented, f"contract: {spec.name}{{{label}}} has undocumented value(s) "
                                                 f"{sorted(seen - documented)} (documented: {sorted(documented)})")
                report.check(documented <= seen, f"contract: {spec.name}{{{label}}} never shows "
                                                 f"{sorted(documented - seen)} (counters should start at 0 for "
                                                 f"the label values known at start)")
    known = {name for spec in contract.values() for name in series_names(spec)}
    ours = sorted(n for n in exposed - known if not n.startswith(("scrape_", "up", "ALERTS", "prometheus_")))
    if ours:
        report.notes.append(f"exposed but not in docs/STREAMS.md: {', '.join(ours)}")


def one_line(query: str) -> str:
    return " ".join(query.split())


def evaluate(api: PrometheusAPI, query: str) -> tuple[str | None, int]:
    """(error or None, number of series/values returned)."""
    answer = api.query(query)
    if answer.get("status") != "success":
        return answer.get("error", "query failed"), 0
    data = answer["data"]
    if data["resultType"] in ("scalar", "string"):
        return None, 1
    return None, len(data["result"])


def check_expressions(api: PrometheusAPI, expressions: list[Expression], rules: list[tuple[str, str, Expression]],
                      instance: str, report: Report) -> None:
    values = {"instance": grafana_regex_value(instance), "ticker": TICKER, **BUILTIN_VARIABLES}
    evaluated = 0
    for expression in expressions:
        query, unknown = substitute_variables(expression.expr, values)
        if unknown:
            continue  # reported by the static part
        if expression.kind == "variable":
            parts = split_label_values(query)
            if parts is None:
                continue  # reported by the static part
            selector, label = parts
            try:
                series = api.series(selector)
            except CheckFailed as error:
                report.failures.append(f"{expression.origin}: {error}")
                continue
            report.check(any(label in s for s in series),
                         f"{expression.origin}: label_values({selector}, {label}) finds no value")
            evaluated += 1
            continue
        error, count = evaluate(api, query)
        evaluated += 1
        if error:
            report.failures.append(f"{expression.origin}: invalid: {error}\n    {one_line(query)}")
        else:
            report.check(count > 0, f"{expression.origin}: no series\n    {one_line(query)}")
    for _, name, rule in rules:
        error, _ = evaluate(api, rule.expr)
        if error:
            report.failures.append(f"{rule.origin}: invalid: {error}")
            continue
        report.passed += 1
        as_bool = with_bool_comparisons(rule.expr)
        error, count = evaluate(api, as_bool)
        evaluated += 2
        if error:
            report.failures.append(f"{rule.origin}: `bool` form invalid: {error}\n    {one_line(as_bool)}")
        else:
            report.check(count > 0, f"{rule.origin}: no series even with `bool` comparisons\n    {one_line(as_bool)}")
    print(f"evaluated {evaluated} queries ({len(expressions)} dashboard expressions, {len(rules)} rules twice)")


def wait_for_exercised(api: PrometheusAPI, timeout: float = 90) -> None:
    """Waits (bounded) until Prometheus sees what the exercise did; some gauges (champion, freshness) are sampled
    periodically by the server. On timeout the checks below report what is missing."""
    def all_seen() -> bool:
        return all(evaluate(api, query)[1] > 0 for _, query in EXERCISED)

    try:
        wait_until(all_seen, "the exercised counters and gauges", timeout=timeout, interval=1)
    except CheckFailed:
        pass


def check_exercised(api: PrometheusAPI, report: Report) -> None:
    for what, query in EXERCISED:
        error, count = evaluate(api, query)
        report.check(error is None and count > 0, f"exercised, but not seen: {what}: {error or 'no series'}\n"
                                                  f"    {query}")


def check_rule_health(api: PrometheusAPI, rules: list[tuple[str, str, Expression]], report: Report) -> None:
    loaded = {group["name"]: group for group in api.rules()}
    for group_name in sorted({group for group, _, _ in rules}):
        group = loaded.get(group_name)
        if not report.check(group is not None, f"/api/v1/rules: group {group_name} not loaded"):
            continue
        for rule in group["rules"]:
            report.check(rule.get("health") == "ok" and not rule.get("lastError"),
                         f"/api/v1/rules: {group_name}/{rule.get('name')} health {rule.get('health')}: "
                         f"{rule.get('lastError', '')}")
    expected = {name for _, name, _ in rules}
    names = {rule.get("name") for group in loaded.values() for rule in group["rules"]}
    report.check(expected <= names, f"/api/v1/rules: rules not loaded: {sorted(expected - names)}")
    active = [f"{a['labels'].get('alertname')}({a['state']}{', ' + a['labels']['ticker'] if 'ticker' in a['labels'] else ''})"
              for a in api.alerts()]
    report.notes.append(f"alerts pending/firing now: {', '.join(sorted(active)) or 'none'}")


# ---------------------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--static-only", action="store_true", help="only the checks that need no server")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (logs, data)")
    args = parser.parse_args()

    binary = Path(os.environ.get("STOCKCAST_BIN", ROOT / ".build" / "debug" / "stockcast"))
    promtool = os.environ.get("PROMTOOL", "promtool")
    prometheus = os.environ.get("PROMETHEUS", "prometheus")
    report = Report()
    processes: list[ManagedProcess] = []
    listeners: list[WebSocketListener] = []
    scratch: Path | None = None

    def on_signal(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)

    try:
        for tool in (promtool, prometheus):
            if shutil.which(tool) is None:
                raise CheckFailed(f"{tool} not found: install the Debian package `prometheus`")
        contract, expressions, rules = static_checks(report, promtool)
        if not args.static_only:
            if not os.access(binary, os.X_OK):
                raise CheckFailed(f"{binary} is not an executable: build it (swift build) or set STOCKCAST_BIN")
            scratch = Path(tempfile.mkdtemp(prefix="stockcast-monitor-"))
            server = start_server(binary, scratch, processes)
            api = start_prometheus(prometheus, server, scratch, processes)
            instance = next(t["labels"]["instance"] for t in api.targets() if t["labels"].get("job") == "stockcast")
            for channel in CHANNELS:
                listener = WebSocketListener(f"ws://{server.address}/ws/{channel}")
                listener.start()
                listeners.append(listener)
            for listener in listeners:
                listener.connected.wait(timeout=30)
                report.check(listener.connected.is_set() and listener.error is None,
                             f"WebSocket {listener.url}: {listener.error or 'did not connect'}")
            exercise(server, report)
            wait_for_exercised(api)
            wait_for_fresh_data(api, since=time.time())
            check_contract(api, contract, report)
            check_exercised(api, report)
            check_expressions(api, expressions, rules, instance, report)
            check_rule_health(api, rules, report)
            report.notes.append("WebSocket frames received: " + "; ".join(
                f"/ws/{url.rsplit('/', 1)[-1]} {dict(listener.types)}" for url, listener in
                ((listener.url, listener) for listener in listeners)))
    except CheckFailed as error:
        report.failures.append(str(error))
    except SystemExit as stop:  # from on_signal
        report.failures.append(f"interrupted (exit status {stop.code})")
    finally:
        for listener in listeners:
            listener.stop()
        for process in reversed(processes):
            process.stop()
        log_dir = os.environ.get("STOCKCAST_TEST_LOG_DIR")
        if scratch is not None and log_dir:  # for the key grep of `make test`
            os.makedirs(log_dir, exist_ok=True)
            for log in scratch.glob("*.log"):
                shutil.copy(log, os.path.join(log_dir, f"monitor-{log.name}"))
        if scratch is not None:
            if report.failures or args.keep:
                report.notes.append(f"logs and data kept in {scratch}")
            else:
                shutil.rmtree(scratch, ignore_errors=True)

    for note in report.notes:
        print(f"note: {note}")
    for failure in report.failures:
        print(f"FAIL: {failure}")
    print(f"monitor: {report.passed} passed, {len(report.failures)} failed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())

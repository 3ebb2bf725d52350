"""Reads monitor/ and the metric contract (docs/STREAMS.md) and checks them without a server: dashboards are valid
Grafana JSON on the provisioned datasource, and every metric, label and label value an expression names is one
that the contract lists."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from promql import PromQLSyntaxError, references

DATASOURCE_UID = "stockcast-prometheus"

# Grafana's built-in panel types (a typo such as the original's `timeSeries` renders as "panel plugin not found").
PANEL_TYPES = {
    "row", "timeseries", "stat", "gauge", "bargauge", "table", "text", "heatmap", "histogram", "piechart",
    "state-timeline", "status-history", "barchart", "logs", "nodeGraph", "traces", "alertlist", "dashlist",
    "news", "xychart", "candlestick", "canvas", "flamegraph", "geomap", "trend", "datagrid",
}

# Series that Prometheus itself writes for every target.
SYNTHETIC_METRICS = {
    "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
}
TARGET_LABELS = {"instance", "job", "replica"}


@dataclass
class MetricSpec:
    name: str
    type: str  # counter | gauge | histogram
    labels: dict[str, set[str]] = field(default_factory=dict)  # label -> documented values (empty: any)


@dataclass
class Expression:
    """One PromQL expression and where it comes from."""

    origin: str  # e.g. "api.json panel 5 'Request rate by route' A" or "alerts.yml StockCastInstanceDown"
    expr: str
    kind: str  # panel | variable | rule
    query: str = ""  # expr with Grafana template variables substituted (what is sent to Prometheus)

    def __post_init__(self) -> None:
        if not self.query:
            self.query = self.expr


def load_contract(streams_md: Path) -> dict[str, MetricSpec]:
    """Parses the "Prometheus metrics" table of docs/STREAMS.md."""
    text = streams_md.read_text(encoding="utf-8")
    start = text.find("## Prometheus metrics")
    if start < 0:
        raise ValueError(f"{streams_md}: no '## Prometheus metrics' section")
    section = text[start:]
    end = section.find("\n## ", 3)
    if end > 0:
        section = section[:end]
    specs: dict[str, MetricSpec] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        name = cells[0].strip("`")
        spec = MetricSpec(name=name, type=cells[1].strip().lower())
        # Labels: `a`, `b` (`v1`/`v2`): a backticked name, optionally followed by its values in parentheses.
        for match in re.finditer(r"`([a-z_][a-z0-9_]*)`\s*(\(([^)]*)\))?", cells[2]):
            values = set(re.findall(r"`([^`]+)`", match.group(3) or ""))
            spec.labels[match.group(1)] = values
        specs[name] = spec
    if not specs:
        raise ValueError(f"{streams_md}: the Prometheus metrics table is empty")
    return specs


def series_names(spec: MetricSpec) -> list[str]:
    """The names under which a metric's series are stored."""
    if spec.type == "histogram":
        return [f"{spec.name}_bucket", f"{spec.name}_sum", f"{spec.name}_count"]
    return [spec.name]


def known_series(contract: dict[str, MetricSpec]) -> dict[str, MetricSpec | None]:
    """Every series name an expression may select, mapped to its spec (None for Prometheus's own)."""
    known: dict[str, MetricSpec | None] = {name: None for name in SYNTHETIC_METRICS}
    for spec in contract.values():
        for name in series_names(spec):
            known[name] = spec
    return known


def load_dashboards(directory: Path) -> dict[str, dict]:
    boards = {}
    for path in sorted(directory.glob("*.json")):
        boards[path.name] = json.loads(path.read_text(encoding="utf-8"))
    return boards


def _walk_panels(panels: list[dict]):
    for panel in panels:
        yield panel
        yield from _walk_panels(panel.get("panels", []))


def lint_dashboard(name: str, board: dict) -> list[str]:
    """Structural checks a Grafana import would not report clearly."""
    problems = []
    for key in ("uid", "title", "panels", "templating", "schemaVersion"):
        if key not in board:
            problems.append(f"{name}: missing '{key}'")
    ids = set()
    for panel in _walk_panels(board.get("panels", [])):
        where = f"{name} panel {panel.get('id')} '{panel.get('title')}'"
        if panel.get("type") not in PANEL_TYPES:
            problems.append(f"{where}: unknown panel type {panel.get('type')!r}")
        if panel.get("id") in ids:
            problems.append(f"{where}: duplicate panel id")
        ids.add(panel.get("id"))
        pos = panel.get("gridPos", {})
        if not all(isinstance(pos.get(k), int) for k in ("x", "y", "w", "h")) or pos.get("x", 0) + pos.get("w", 0) > 24:
            problems.append(f"{where}: bad gridPos {pos}")
        if panel.get("type") == "row":
            continue
        if panel.get("datasource", {}).get("uid") != DATASOURCE_UID:
            problems.append(f"{where}: datasource is not uid {DATASOURCE_UID}")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{where}: no targets")
        ref_ids = [t.get("refId") for t in targets]
        if len(set(ref_ids)) != len(ref_ids) or None in ref_ids:
            problems.append(f"{where}: refIds missing or repeated")
        for target in targets:
            if target.get("datasource", {}).get("uid") != DATASOURCE_UID:
                problems.append(f"{where} {target.get('refId')}: datasource is not uid {DATASOURCE_UID}")
            if not target.get("expr", "").strip():
                problems.append(f"{where} {target.get('refId')}: empty expr")
    for variable in board.get("templating", {}).get("list", []):
        if variable.get("type") == "query" and variable.get("datasource", {}).get("uid") != DATASOURCE_UID:
            problems.append(f"{name} variable {variable.get('name')}: datasource is not uid {DATASOURCE_UID}")
    return problems


def dashboard_expressions(name: str, board: dict) -> list[Expression]:
    """Every target expr of every panel (rows included) and every query variable of a dashboard."""
    found = []
    for panel in _walk_panels(board.get("panels", [])):
        for target in panel.get("targets") or []:
            if "expr" in target:
                origin = f"{name} panel {panel.get('id')} '{panel.get('title')}' {target.get('refId')}"
                found.append(Expression(origin, target["expr"], "panel"))
    for variable in board.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable.get("query")
            text = query.get("query") if isinstance(query, dict) else query
            found.append(Expression(f"{name} variable ${variable.get('name')}", text, "variable"))
    return found


def rule_expressions(alerts_yml: Path) -> list[tuple[str, str, Expression]]:
    """(group, rule name, expression) for every rule of alerts.yml."""
    document = yaml.safe_load(alerts_yml.read_text(encoding="utf-8"))
    rules = []
    for group in document.get("groups", []):
        for rule in group.get("rules", []):
            name = rule.get("alert") or rule.get("record")
            rules.append((group["name"], name, Expression(f"alerts.yml {name}", rule["expr"], "rule")))
    return rules


def lint_rules(alerts_yml: Path) -> list[str]:
    """Every alert has `for`, a severity and summary/description annotations."""
    document = yaml.safe_load(alerts_yml.read_text(encoding="utf-8"))
    problems = []
    for group in document.get("groups", []):
        for rule in group.get("rules", []):
            name = rule.get("alert")
            if not name:
                continue
            if "for" not in rule:
                problems.append(f"alerts.yml {name}: no 'for'")
            if rule.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
                problems.append(f"alerts.yml {name}: severity must be critical, warning or info")
            for key in ("summary", "description"):
                if not rule.get("annotations", {}).get(key):
                    problems.append(f"alerts.yml {name}: no '{key}' annotation")
    return problems


_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(.*?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", re.S)


def split_label_values(query: str) -> tuple[str, str] | None:
    """`label_values(selector, label)` -> (selector, label); None for other variable queries."""
    match = _LABEL_VALUES.match(query)
    return (match.group(1), match.group(2)) if match else None


def check_references(expression: Expression, contract: dict[str, MetricSpec]) -> list[str]:
    """Every metric an expression selects is in the contract, every label it matches or groups by belongs to a
    metric it selects, and every exact label value it matches is a documented value."""
    text = expression.query
    if expression.kind == "variable":
        parts = split_label_values(text)
        if parts is None:
            return [f"{expression.origin}: only label_values(selector, label) variables are supported: {text}"]
        text = parts[0]
    try:
        refs = references(text)
    except PromQLSyntaxError as error:
        return [f"{expression.origin}: {error}"]
    known = known_series(contract)
    problems = []
    labels_in_scope = set(TARGET_LABELS)
    for selector in refs.selectors:
        if selector.metric not in known:
            problems.append(f"{expression.origin}: metric {selector.metric!r} is not in docs/STREAMS.md")
            continue
        spec = known[selector.metric]
        allowed = set(TARGET_LABELS) | (set(spec.labels) if spec else set())
        if selector.metric.endswith("_bucket") and spec and spec.type == "histogram":
            allowed.add("le")
        labels_in_scope |= allowed
        for label, op, value in selector.matchers:
            if label not in allowed:
                problems.append(f"{expression.origin}: {selector.metric} has no label {label!r}")
            elif op == "=" and spec and spec.labels.get(label) and value not in spec.labels[label]:
                problems.append(
                    f"{expression.origin}: {selector.metric}{{{label}={value!r}}} is not a documented value "
                    f"({', '.join(sorted(spec.labels[label]))})")
            elif op == "=~" and spec and spec.labels.get(label) and "$" not in value:
                pattern = re.compile(value)
                if not any(pattern.fullmatch(v) for v in spec.labels[label]):
                    problems.append(f"{expression.origin}: {selector.metric}{{{label}=~{value!r}}} matches no "
                                    f"documented value ({', '.join(sorted(spec.labels[label]))})")
    if expression.kind == "variable":
        if parts[1] not in labels_in_scope:
            problems.append(f"{expression.origin}: label {parts[1]!r} is not on {text}")
    for label in refs.grouping_labels - labels_in_scope:
        problems.append(f"{expression.origin}: groups by {label!r}, which no selected metric has")
    return problems

#!/usr/bin/env python3
"""Collects the forecasting and serving benchmarks (bench/run-forecast-bench.sh) into OUT_DIR/forecast.json, prints
the Markdown tables and, when asked, rewrites two sections of BENCHMARKS.md: between `<!-- forecast-bench:start -->`
and `<!-- forecast-bench:end -->` (accuracy, speed, latency, interval coverage) and between
`<!-- serving-bench:start -->` and `<!-- serving-bench:end -->` (POST /api/predict/ under load). Other sections are
left alone; a missing section is appended.

Inputs in OUT_DIR: {swift,python}-accuracy-{goog,gspc}.json, {swift,python}-speed-{goog,gspc}.json, runs/<name>/time
(`/usr/bin/time -v` of each measured run), serving/serving.json (bench/serving_bench.py; optional), run.json (the
run's end time and load averages; optional).

Exit status: 0, or 1 when an input is missing or malformed (nothing is published then).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys

from benchmarks_md import replace_section

TICKERS = [("goog", "GOOG", "NASDAQ"), ("gspc", "^GSPC", "NYSE")]
HORIZONS = (1, 5, 10)
# (ours, Python's, label of the pair)
PAIRS = [
    ("naive", "naive", "naive (last close)"),
    ("drift", "drift", "drift"),
    ("linear_regression", "ridge", "linear_regression ↔ sklearn Ridge"),
    ("xgboost", "xgboost", "xgboost ↔ XGBRegressor"),
    ("random_forest", "xgboost_rf", "random_forest ↔ XGBRFRegressor"),
    (None, "ets", "— ↔ statsforecast AutoETS"),
]
FITTED = ("linear_regression", "xgboost", "random_forest")
U_TOLERANCE = 0.005  # "match": Theil's U within 0.5 % of Python's (relative)
DA_TOLERANCE = 0.01  # "match": directional accuracy within 1 point of Python's
GOAL_REFIT_SECONDS = 1.0
GOAL_LATENCY = {"linear_regression": 50.0, "xgboost": 200.0}
GOAL_COVERAGE_POINTS = 3.0
GOAL_SERVING_RATIO = 10.0
GOAL_SERVING_P99_MS = 5.0
SECTIONS = {
    "forecast": ("<!-- forecast-bench:start -->", "<!-- forecast-bench:end -->", "## Forecasting: accuracy and speed"),
    "serving": ("<!-- serving-bench:start -->", "<!-- serving-bench:end -->", "## Serving: POST /api/predict/"),
}


def load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def peak_rss_mb(path: str) -> float | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if "Maximum resident set size" in line:
                    return int(line.rsplit(":", 1)[1]) / 1024
    except OSError:
        return None
    return None


def first_line(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        text = (out.stdout or out.stderr).strip()
        return text.splitlines()[0] if text else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_facts(swift: str, load_before: str | None, run: dict) -> dict:
    """The machine, the tools' versions, and the run's date and load averages (from OUT_DIR/run.json, written by
    bench/run-forecast-bench.sh when the runs ended, so a later re-run of this report keeps them)."""
    cpu, memory = "unknown", None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((l.split(":", 1)[1].strip() for l in handle if l.startswith("model name")), "unknown")
        with open("/proc/meminfo", encoding="utf-8") as handle:
            memory = next(round(int(l.split()[1]) / 1024 / 1024, 1) for l in handle if l.startswith("MemTotal:"))
        with open("/proc/loadavg", encoding="utf-8") as handle:
            load_after = " ".join(handle.read().split()[:3])
    except (OSError, StopIteration):
        load_after = None
    load_after = run.get("load_after", load_after)
    load_before = run.get("load_before", load_before)
    return {
        "date": run.get("finished", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        "nproc": os.cpu_count(), "cpu": cpu,
        "memory_gib": memory, "kernel": platform.release(), "swift": first_line([swift, "--version"]),
        "libxgboost": first_line(["dpkg-query", "-W", "-f=${Version}", "libxgboost-dev"]),
        "openblas": first_line(["dpkg-query", "-W", "-f=${Version}", "libopenblas0-pthread"]),
        "load_average_before": load_before, "load_average_after": load_after,
    }


def by_model(document: dict) -> dict:
    return {entry["model"]: entry for entry in document["models"]}


def at(metrics: list[dict], h: int) -> dict | None:
    return next((m for m in metrics if m["horizon"] == h), None)


def f(value, digits: int = 4, scale: float = 1.0) -> str:
    return "—" if value is None else f"{value * scale:.{digits}f}"


def ratio(slow, fast) -> str:
    return "—" if not slow or not fast else f"{slow / fast:,.1f}×".replace(",", " ")


def pct(value) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


class Report:
    def __init__(self, out_dir: str):
        self.out_dir = out_dir
        self.accuracy = {}
        self.speed = {}
        for key, _, _ in TICKERS:
            self.accuracy[key] = {side: load(os.path.join(out_dir, f"{side}-accuracy-{key}.json")) for side in ("swift", "python")}
            self.speed[key] = {side: load(os.path.join(out_dir, f"{side}-speed-{key}.json")) for side in ("swift", "python")}
        self.rss = {}
        runs = os.path.join(out_dir, "runs")
        if os.path.isdir(runs):
            for name in sorted(os.listdir(runs)):
                self.rss[name] = peak_rss_mb(os.path.join(runs, name, "time"))
        serving_path = os.path.join(out_dir, "serving", "serving.json")
        self.serving = load(serving_path) if os.path.exists(serving_path) else None
        self.checks: dict[str, list[str]] = {"forecast": [], "serving": []}

    def check(self, section: str, text: str, passed: bool) -> None:
        self.checks[section].append(f"- {'PASS' if passed else 'FAIL'}: {text}")

    # --- accuracy ------------------------------------------------------------------------------------------------

    def accuracy_table(self) -> list[str]:
        rows = ["| Series | h | Model (ours ↔ Python) | Theil's U ours | Theil's U Python | Dir. acc. ours | Dir. acc. Python | Up-rate |",
                "|---|---:|---|---:|---:|---:|---:|---:|"]
        for key, name, exchange in TICKERS:
            ours, theirs = by_model(self.accuracy[key]["swift"]), by_model(self.accuracy[key]["python"])
            for h in HORIZONS:
                for our_name, their_name, label in PAIRS:
                    mine = at(ours[our_name]["metrics"], h) if our_name else None
                    other = at(theirs[their_name]["metrics"], h)
                    up = (mine or other)["up_rate"]
                    rows.append(f"| {name} | {h} | {label} | {f(mine and mine['theil_u'])} | {f(other['theil_u'])} | "
                                f"{pct(mine and mine['directional_accuracy'])} | {pct(other['directional_accuracy'])} | {pct(up)} |")
        return rows

    def accuracy_goals(self) -> None:
        for our_name, their_name, label in PAIRS:
            if our_name not in FITTED:
                continue
            u_ok, da_ok, cases = 0, 0, 0
            worst_u, worst_da = 0.0, 0.0
            for key, _, _ in TICKERS:
                ours, theirs = by_model(self.accuracy[key]["swift"]), by_model(self.accuracy[key]["python"])
                for h in HORIZONS:
                    mine, other = at(ours[our_name]["metrics"], h), at(theirs[their_name]["metrics"], h)
                    cases += 1
                    u_gap = mine["theil_u"] / other["theil_u"] - 1
                    da_gap = other["directional_accuracy"] - mine["directional_accuracy"]
                    worst_u, worst_da = max(worst_u, u_gap), max(worst_da, da_gap)
                    u_ok += u_gap <= U_TOLERANCE
                    da_ok += da_gap <= DA_TOLERANCE
            self.check("forecast",
                       f"{label}: Theil's U matches or beats Python's (≤ +{100 * U_TOLERANCE:.1f} %) in {u_ok}/{cases} series × h "
                       f"(worst {100 * worst_u:+.2f} %); directional accuracy matches or beats it (≥ −{100 * DA_TOLERANCE:.0f} point) "
                       f"in {da_ok}/{cases} (worst {-100 * worst_da + 0.0:+.1f} points)",
                       u_ok == cases and da_ok == cases)

    def drift_line(self) -> str:
        beats = []
        for key, name, _ in TICKERS:
            ours = by_model(self.accuracy[key]["swift"])
            for h in HORIZONS:
                drift = at(ours["drift"]["metrics"], h)["theil_u"]
                for model in FITTED:
                    u = at(ours[model]["metrics"], h)["theil_u"]
                    if u < drift:
                        beats.append(f"{model} on {name} at h = {h} ({u:.4f} vs {drift:.4f})")
        if not beats:
            return "None of our models beats drift's Theil's U on either series at any reported horizon."
        return "Lower Theil's U than drift: " + "; ".join(beats) + " (the differences are small; see the DM p-values in the JSON)."

    # --- speed ---------------------------------------------------------------------------------------------------

    def backtest_table(self) -> list[str]:
        rows = ["| Series | Model (ours ↔ Python) | fits | ours s | Python s | Python ÷ ours | peak RSS MB ours / Python (whole run) |",
                "|---|---|---:|---:|---:|---:|---|"]
        for key, name, _ in TICKERS:
            ours, theirs = by_model(self.accuracy[key]["swift"]), by_model(self.accuracy[key]["python"])
            rss = f"{f(self.rss.get(f'swift-accuracy-{key}'), 0)} / {f(self.rss.get(f'python-accuracy-{key}'), 0)}"
            for our_name, their_name, label in PAIRS:
                mine, other = ours.get(our_name) if our_name else None, theirs[their_name]
                rows.append(f"| {name} | {label} | {other['fits']} | {f(mine and mine['median_seconds'], 3)} | "
                            f"{f(other['median_seconds'], 3)} | {ratio(other['median_seconds'], mine and mine['median_seconds'])} | {rss} |")
        return rows

    def fit_table(self) -> list[str]:
        rows = ["| Series | Model (ours ↔ Python) | rows | ours ms | of which: model JSON reload ms | Python ms | Python ÷ ours |",
                "|---|---|---:|---:|---:|---:|---:|"]
        pairs = [("linear_regression", "ridge", "linear_regression ↔ sklearn Ridge (α chosen: 8 + 1 fits)"),
                 ("xgboost", "xgboost", "xgboost ↔ XGBRegressor"),
                 ("random_forest", "xgboost_rf", "random_forest ↔ XGBRFRegressor"),
                 (None, "sklearn_random_forest", "— ↔ sklearn RandomForestRegressor (reference)")]
        for key, name, _ in TICKERS:
            ours = {e["model"]: e for e in self.speed[key]["swift"]["single_fit"]}
            theirs = {e["model"]: e for e in self.speed[key]["python"]["single_fit"]}
            for our_name, their_name, label in pairs:
                mine, other = ours.get(our_name), theirs[their_name]
                mine_s = mine["seconds"]["median"] if mine else None
                reload = mine.get("reload_seconds") if mine else None
                rows.append(f"| {name} | {label} | {other['rows']} | {f(mine_s, 2, 1000)} | "
                            f"{f(reload and reload['median'], 2, 1000)} | "
                            f"{f(other['seconds']['median'], 2, 1000)} | {ratio(other['seconds']['median'], mine_s)} |")
        rows += ["", "Our XGBoost fit returns the model as loaded back from its JSON (so a fitted model predicts exactly "
                 "as its stored artifact); that reload is the column above. The rest of the gap on the tree models is "
                 "libxgboost's own training: Debian's 1.7.4 against the 3.x Python wheel, the same rows, parameters and "
                 "one thread (their backtest metrics agree to the four decimals shown under Accuracy)."]
        return rows

    def refit_lines(self) -> list[str]:
        rows = ["| Series | sessions | refits (h = 1) | ours s (median of 5) | Python s (once) | Python ÷ ours |",
                "|---|---:|---:|---:|---:|---:|"]
        for key, name, _ in TICKERS:
            mine = self.speed[key]["swift"]["ridge_refit_every_session"]
            other = self.speed[key]["python"]["ridge_refit_every_session"]
            rows.append(f"| {name} | {mine['sessions']} | {mine['fits']} | {mine['seconds']['median']:.3f} | "
                        f"{other['seconds']['median']:.2f} | {ratio(other['seconds']['median'], mine['seconds']['median'])} |")
        big = self.speed["gspc"]["swift"]["ridge_refit_every_session"]
        self.check("forecast", f"ridge backtest of a {big['sessions']}-session series with a refit every session "
                               f"({big['fits']} fits) under {GOAL_REFIT_SECONDS:.0f} s: {big['seconds']['median']:.3f} s",
                   big["seconds"]["median"] < GOAL_REFIT_SECONDS)
        return rows

    def latency_lines(self) -> list[str]:
        rows = ["| Series | Model | calls | ours p50 µs | ours p99 µs | goal | Python model call only, p50 / p99 µs |",
                "|---|---|---:|---:|---:|---|---|"]
        names = {"linear_regression": "ridge", "xgboost": "xgboost"}
        for key, name, _ in TICKERS:
            theirs = {e["model"]: e for e in self.speed[key]["python"]["latency"]}
            for entry in self.speed[key]["swift"]["latency"]:
                goal = GOAL_LATENCY[entry["model"]]
                other = theirs.get(names[entry["model"]])
                rows.append(f"| {name} | {entry['model']} | {entry['calls']} | {entry['micros']['median']:.2f} | "
                            f"{entry['micros']['p99']:.2f} | < {goal:.0f} µs | "
                            f"{f(other and other['micros']['median'], 1)} / {f(other and other['micros']['p99'], 1)} |")
                self.check("forecast", f"single-prediction latency of {entry['model']} on {name} under {goal:.0f} µs: "
                                       f"p50 {entry['micros']['median']:.2f} µs, p99 {entry['micros']['p99']:.2f} µs",
                           entry["micros"]["p99"] < goal)
        return rows

    def coverage_lines(self) -> list[str]:
        rows = ["| Series | Model | h | points with an interval | 80 % coverage | 95 % coverage |", "|---|---|---:|---:|---:|---:|"]
        misses = []
        cases = 0
        for key, name, _ in TICKERS:
            ours = by_model(self.accuracy[key]["swift"])
            for model in FITTED:
                for h in HORIZONS:
                    m = at(ours[model]["metrics"], h)
                    rows.append(f"| {name} | {model} | {h} | {m['interval_count']} | {pct(m['coverage_80'])} | {pct(m['coverage_95'])} |")
                    cases += 1
                    gaps = [abs(100 * m["coverage_80"] - 80), abs(100 * m["coverage_95"] - 95)]
                    if max(gaps) > GOAL_COVERAGE_POINTS:
                        misses.append(f"{model} {name} h={h}")
        rows += ["", "Coverage above nominal means intervals wider than needed, below means too narrow. Each test "
                 "point's interval is the conformal quantile of all earlier realised test residuals of its horizon, "
                 "weighted equally, so a volatile stretch early in the test window keeps later intervals wide: GOOG's "
                 "test window opens with July–September 2011, when its daily log-return volatility was about twice "
                 "that of the rest of the window."]
        self.check("forecast", f"interval coverage within {GOAL_COVERAGE_POINTS:.0f} points of 80 % and 95 % in "
                               f"{cases - len(misses)}/{cases} model × series × h"
                               + (f" (outside: {', '.join(misses)})" if misses else ""), not misses)
        return rows

    def feature_line(self) -> str:
        parts = []
        for key, name, _ in TICKERS:
            check = self.accuracy[key]["python"].get("feature_check")
            if check:
                parts.append(f"{name}: {check['rows']} rows × {check['columns']} columns, largest difference "
                             f"{check['max_abs_difference']:.1e}, {check['undefined_mismatches']} undefined-cell mismatches")
                self.check("forecast", f"the pandas features equal ours on {name} (largest difference {check['max_abs_difference']:.1e})",
                           check["max_abs_difference"] < 1e-9 and check["undefined_mismatches"] == 0)
        return "; ".join(parts)

    # --- serving -------------------------------------------------------------------------------------------------

    def serving_section(self, facts: dict) -> str | None:
        if not self.serving:
            return None
        s = self.serving
        rows = ["| Server | connections | requests/s | p50 ms | p90 ms | p99 ms | errors | peak RSS MB |",
                "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for server in s["servers"]:
            for run in server["runs"]:
                lat = run["latency_us"]
                throughput = f"{run['requests_per_second']:,.0f}".replace(",", " ")
                rows.append(f"| {server['label']} | {run['connections']} | {throughput} | "
                            f"{lat['p50'] / 1000:.2f} | {lat['p90'] / 1000:.2f} | {lat['p99'] / 1000:.2f} | "
                            f"{sum(run['errors'].values())} | {server['peak_rss_mb_tree']:.0f} |")
        ours = s["servers"][0]
        top = max(s["connections"])
        ours_top = next(r for r in ours["runs"] if r["connections"] == top)
        best = max(s["servers"][1:], key=lambda srv: next(r for r in srv["runs"] if r["connections"] == top)["requests_per_second"])
        best_top = next(r for r in best["runs"] if r["connections"] == top)
        factor = ours_top["requests_per_second"] / best_top["requests_per_second"]
        self.check("serving", f"≥ {GOAL_SERVING_RATIO:.0f}× the FastAPI throughput at {top} connections (vs its best, "
                              f"{best['label']}): {factor:.1f}×", factor >= GOAL_SERVING_RATIO)
        p99 = ours_top["latency_us"]["p99"] / 1000
        self.check("serving", f"p99 under {GOAL_SERVING_P99_MS:.0f} ms at {top} connections: {p99:.2f} ms", p99 < GOAL_SERVING_P99_MS)
        errors = sum(sum(r["errors"].values()) for srv in s["servers"] for r in srv["runs"])
        self.check("serving", f"no failed or non-2xx responses in any run: {errors}", errors == 0)
        anchors = ", ".join(f"{srv['label']} {srv['probe']['predicted_close']:.4f}" for srv in s["servers"][1:])
        v = s["versions"]
        lines = rows + ["", "Goals (from the issue):", ""] + self.checks["serving"] + [
            "",
            f"Measured {facts['date']} by `make bench` (bench/run-forecast-bench.sh → bench/serving_bench.py), {s['duration_seconds']} s "
            f"per run after a 2 s warm-up, `{v['wrk']}` with one thread (bench/wrk-post.lua), loopback only, the load "
            f"generator sharing the {facts['nproc']} cores with the server. {self.facts_text(facts)}; FastAPI {v['fastapi']}, "
            f"uvicorn {v['uvicorn']}, xgboost {v['xgboost']} (Python).",
            "",
            f"Every request is `POST /api/predict/` `{json.dumps(s['target'])}` with an operator key: the next session after "
            f"the last stored bar of {s['ticker']} ({ours['dataset_sessions']} sessions, the bundled sample data). Ours: the "
            f"release `stockcast serve` on a fresh data directory (SQLite, log level warning, ETL schedule off) with an "
            f"xgboost champion registered, trained through the API in {ours['training_seconds']} s (max_horizon 10, "
            f"refit_every 250) and promoted with force=true; each request reads the instrument's last stored sessions, computes the features, "
            f"predicts with the cached model and stores the prediction. The anchor (bench/anchors/fastapi_predict/app.py) "
            f"does the same with the same model: the XGBoost JSON taken from our artifact and loaded once by Python xgboost, "
            f"the same last sessions read from our SQLite file with pandas, the features computed with pandas, the prediction stored in a "
            f"SQLite table of its own; a sync `def` route, so uvicorn runs it in its thread pool. Before timing, each "
            f"anchor's answer was checked against ours: ours {ours['probe']['predicted_close']:.4f}, {anchors}. "
            "Peak RSS is the largest sum of VmRSS over the server's processes (sampled every 50 ms: the 2-worker anchor "
            "is three processes), over its whole life including our model training.",
        ]
        by_workers = {srv.get("workers"): srv for srv in s["servers"][1:]}
        if 1 in by_workers and 2 in by_workers:
            low = min(s["connections"])
            one_p50 = next(r for r in by_workers[1]["runs"] if r["connections"] == low)["latency_us"]["p50"] / 1000
            two_p50 = next(r for r in by_workers[2]["runs"] if r["connections"] == low)["latency_us"]["p50"] / 1000
            if two_p50 > 2 * one_p50:
                lines += ["", f"An oddity of the anchor, not investigated: with 2 workers a single connection waits "
                              f"{two_p50:.1f} ms at the median against {one_p50:.1f} ms with 1 worker."]
        read = ours.get("store_read")
        if read:
            one = next(r for r in ours["runs"] if r["connections"] == min(s["connections"]))
            lines += [
                "",
                f"Where our time goes: each request reads the last ~270 sessions of the instrument (the features need at "
                f"most 26 earlier sessions next to the stored indicators), computes the features, predicts and stores the "
                f"prediction. Reading the whole series instead ({read['bars']} bars, `StockCastBench store-read`: "
                f"{read['millis']['median']:.1f} ms median, min {read['millis']['min']:.1f} ms) is what an earlier version "
                f"did, which capped the route near {1000 / read['millis']['median']:.0f} requests/s. At 1 connection a "
                f"request now takes {one['latency_us']['p50'] / 1000:.2f} ms at the median. The model call is not the "
                "cost (xgboost ≈ 25 µs, see the in-process latency above); with 64 connections on 2 cores shared with the "
                "load generator, p99 is mostly queueing (64 / throughput), so the 5 ms p99 goal at 64 clients would need "
                "several times today's throughput: SQLite reads on one reader connection and the prediction insert on the "
                "single writer are the next costs.",
            ]
        return "\n".join(lines) + "\n"

    # --- whole ---------------------------------------------------------------------------------------------------

    @staticmethod
    def facts_text(facts: dict) -> str:
        return (f"Machine: {facts['nproc']} cores, {facts['cpu']}, {facts['memory_gib']} GiB RAM, Linux {facts['kernel']}; "
                f"{facts['swift']}; libxgboost {facts['libxgboost']}, OpenBLAS {facts['openblas']} (Debian); load average "
                f"{facts['load_average_before']} before and {facts['load_average_after']} after the runs (other work "
                "was running on the machine, so absolute times are noisy)")

    def forecast_section(self, facts: dict) -> str:
        feature_line = self.feature_line()
        self.accuracy_goals()
        accuracy = self.accuracy_table()
        backtest = self.backtest_table()
        fits = self.fit_table()
        refit = self.refit_lines()
        latency = self.latency_lines()
        coverage = self.coverage_lines()
        window = {key: self.accuracy[key]["python"]["window"] for key, _, _ in TICKERS}
        ours_window = {key: self.accuracy[key]["swift"]["models"][0]["window"] for key, _, _ in TICKERS}
        for key, name, _ in TICKERS:
            same = (window[key]["test_start"] == ours_window[key]["test_start"]
                    and window[key]["test_origins"] == ours_window[key]["test_origins"])
            self.check("forecast", f"the Python side tested the same origins on {name}: {window[key]['test_origins']} from "
                                   f"{window[key]['test_start']} to {window[key]['test_end']}", same)
        versions = self.accuracy["gspc"]["python"]["versions"]
        lines = [
            "Protocol (both sides): the last 20 % of the usable sessions are test origins, expanding window, refit every "
            "20 sessions, one direct model per horizon h = 1…10 (reported: 1, 5, 10), the 19 default features. "
            f"Test windows: " + "; ".join(f"{name} {window[key]['test_origins']} origins {window[key]['test_start']}…"
                                          f"{window[key]['test_end']}" for key, name, _ in TICKERS) + ".",
            "",
            "### Accuracy",
            "",
            *accuracy,
            "",
            self.drift_line(),
            "",
            "### Speed: the whole walk-forward backtest (10 horizons × every fold; median of 5 runs for naive, drift and "
            "ours' ridge, 3 for Python's ridge, 1 otherwise)",
            "",
            *backtest,
            "",
            "### Speed: one fit (h = 1, every usable row of the series; median)",
            "",
            *fits,
            "",
            "### Ridge backtest with a refit at every test session",
            "",
            *refit,
            "",
            "### Single-prediction latency, in process",
            "",
            *latency,
            "",
            "### Interval coverage on the test period (80 % and 95 %, split-conformal from earlier test residuals)",
            "",
            *coverage,
            "",
            "Goals (from the issue):",
            "",
            *self.checks["forecast"],
            "",
            f"Measured {facts['date']} by `make bench` (bench/run-forecast-bench.sh): Sources/StockCastBench (release) and "
            f"bench/forecast_bench.py on ../shared/data goog.csv (NASDAQ) and gspc.csv (NYSE). {self.facts_text(facts)}. "
            f"Python {versions['python']}: pandas {versions['pandas']}, numpy {versions['numpy']}, scikit-learn "
            f"{versions['scikit_learn']}, xgboost {versions['xgboost']}, statsforecast {versions['statsforecast']}.",
            "",
            "How to read it. Both sides use the same features (pandas re-implementation in bench/forecast_features.py, "
            f"checked cell by cell against ours: {feature_line}), the same test origins, the same training rows per "
            "fold and horizon, and the same hyper-parameters (xgboost: 100 rounds, depth 6, learning rate 0.1; random "
            "forest: xgboost's RF mode, 100 trees, depth 8, row and column subsampling 0.8; both with base_score = the "
            "mean target and one thread; ridge: α from 10⁻⁴…10³ chosen on the last 20 % of each training window, then "
            "refitted). Ridge is the same model on both sides (identical metrics are expected); the tree models run on "
            "different XGBoost builds (libxgboost 1.7 here, the Python package 3.x), both on Float32 inputs, so any "
            "difference in their metrics comes from the version. AutoETS (on the log close, refit per fold, `forward` from each "
            "origin) has no counterpart of ours. Directional accuracy counts (ŷ > 0) == (went up); compare it with the "
            "up-rate: naive never predicts up and scores 1 − up-rate. Times include the feature matrix; ours' ridge "
            "updates its normal equations incrementally across folds, Python's refits from rows, which is most of the "
            "ridge ratio. The Python latency column is the bare model call on a prepared row (features not included), "
            "a floor for any Python path; ours is the whole `Forecaster.forecast` call (features at the origin, the "
            "model, the target session, the intervals), timed call by call over 50 000 calls from the last 1 000 origins.",
        ]
        return "\n".join(lines) + "\n"


def publish(path: str, key: str, section: str) -> None:
    start, end, heading = SECTIONS[key]
    replace_section(path, start, end, heading, section)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--benchmarks", help="BENCHMARKS.md to update")
    parser.add_argument("--swift", default="swift")
    parser.add_argument("--load-before")
    args = parser.parse_args()
    try:
        report = Report(args.out_dir)
        run_path = os.path.join(args.out_dir, "run.json")
        facts = machine_facts(args.swift, args.load_before, load(run_path) if os.path.exists(run_path) else {})
        forecast = report.forecast_section(facts)
        serving = report.serving_section(facts)
    except (OSError, KeyError, ValueError, StopIteration, TypeError, json.JSONDecodeError) as error:
        print(f"forecast_report: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    with open(os.path.join(args.out_dir, "forecast.json"), "w", encoding="utf-8") as handle:
        json.dump({"machine": facts, "accuracy": report.accuracy, "speed": report.speed, "peak_rss_mb": report.rss,
                   "serving": report.serving, "checks": report.checks}, handle, indent=2)
    print(forecast)
    if serving:
        print(serving)
    if args.benchmarks:
        publish(args.benchmarks, "forecast", forecast)
        if serving:
            publish(args.benchmarks, "serving", serving)
        print(f"forecast_report: updated {args.benchmarks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

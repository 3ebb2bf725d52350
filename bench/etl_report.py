#!/usr/bin/env python3
"""Collects the ETL benchmark's measurements into bench/out/etl.json, prints a Markdown table and (when asked)
rewrites the ETL section of BENCHMARKS.md between `<!-- etl-bench:start -->` and `<!-- etl-bench:end -->`.

Called by bench/run-etl-bench.sh. Each run left a directory RUNS_DIR/<name>/ with `stdout`, `stderr` and `time`
(the output of `/usr/bin/time -v -o time`). Swift runs are parsed from the CLI's summary line
("N run(s): ... rows read R, inserted I, updated U, rejected X; S s (B rows/s)"), pandas runs from their JSON line.
Seconds and peak RSS always come from /usr/bin/time (whole process, start-up included, the same for both sides).

Exit status: 0, or 1 when a run is missing its output or a re-run changed rows (nothing is published then).

Usage: etl_report.py --runs-dir DIR --json FILE [--benchmarks BENCHMARKS.md] [--tickers N] [--swift-binary PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys

START = "<!-- etl-bench:start -->"
END = "<!-- etl-bench:end -->"
INTRO = """# Benchmarks

Measured numbers for StockCast, each section written by the script named in it; re-run the script to refresh a
section (the rest of this file is left alone).

## ETL ingest

"""

# name, label, kind, backend, is_rerun
RUNS = [
    ("swift-sqlite", "Swift → SQLite", "swift", "sqlite", False),
    ("swift-sqlite-rerun", "Swift → SQLite, re-run", "swift", "sqlite", True),
    ("swift-postgres", "Swift → PostgreSQL", "swift", "postgres", False),
    ("swift-postgres-rerun", "Swift → PostgreSQL, re-run", "swift", "postgres", True),
    ("pandas-sqlite", "pandas (original path) → SQLite", "pandas", "sqlite", False),
    ("pandas-postgres", "pandas (original path) → PostgreSQL", "pandas", "postgres", False),
]

SUMMARY = re.compile(
    r"(?P<runs>\d+) run\(s\): (?P<completed>\d+) completed, (?P<failed>\d+) failed; rows read (?P<read>\d+), "
    r"inserted (?P<inserted>\d+), updated (?P<updated>\d+), rejected (?P<rejected>\d+); "
    r"(?P<seconds>[\d.]+) s \((?P<rate>\d+) rows/s\)"
)
GOAL_RATIO = 5.0
GOAL_SQLITE_SECONDS = 30.0
GOAL_RSS_MB = 300.0


def parse_time(path: str) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) from a `/usr/bin/time -v` report."""
    wall = rss_kb = None
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            line = line.strip()
            if line.startswith("Elapsed (wall clock) time"):
                parts = [float(p) for p in line.rsplit(" ", 1)[1].split(":")]
                wall = sum(value * 60 ** power for power, value in enumerate(reversed(parts)))
            elif line.startswith("Maximum resident set size (kbytes):"):
                rss_kb = int(line.rsplit(":", 1)[1])
    if wall is None or rss_kb is None:
        raise ValueError(f"{path}: no wall time or maximum resident set size")
    return wall, rss_kb / 1024.0


def parse_run(directory: str, kind: str) -> dict:
    wall, rss_mb = parse_time(os.path.join(directory, "time"))
    with open(os.path.join(directory, "stdout"), encoding="utf-8", errors="replace") as handle:
        stdout = handle.read()
    result: dict = {"seconds": round(wall, 2), "peak_rss_mb": round(rss_mb, 1)}
    if kind == "swift":
        matches = list(SUMMARY.finditer(stdout))
        if not matches:
            raise ValueError(f"{directory}/stdout: no summary line")
        m = matches[-1].groupdict()
        result.update({k: int(m[k]) for k in ("runs", "completed", "failed", "read", "inserted", "updated", "rejected")})
        result["reported_seconds"] = float(m["seconds"])
        result["bars"] = result["read"]
    else:
        lines = [line for line in stdout.splitlines() if line.startswith("{")]
        if not lines:
            raise ValueError(f"{directory}/stdout: no JSON line")
        data = json.loads(lines[-1])
        result.update({k: data[k] for k in ("bars", "raw_rows", "clean_rows", "tickers", "method", "pandas", "note")})
        result["reported_seconds"] = data["seconds"]
    result["bars_per_second"] = round(result["bars"] / wall, 1) if wall > 0 else None
    return result


def command(args: list[str]) -> str:
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
        text = (out.stdout or out.stderr).strip()
        return text.splitlines()[0] if text else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_facts(swift: str, postgres_version: str | None, load_before: str | None) -> dict:
    cpu = "unknown"
    memory_gib = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
                    break
    except OSError:
        pass
    import sqlite3

    facts = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory_gib,
        "kernel": platform.release(),
        "swift": command([swift, "--version"]),
        "python": platform.python_version(),
        "sqlite_python": sqlite3.sqlite_version,
    }
    if postgres_version:
        facts["postgresql"] = postgres_version
    if load_before:
        facts["load_average_before"] = load_before
    return facts


def fmt_int(value) -> str:
    return f"{value:,}".replace(",", " ") if value is not None else "—"


def markdown(results: dict, facts: dict, tickers: int | None) -> str:
    rows = [
        "| Run | bars | seconds | bars/s | peak RSS MB | vs pandas, same backend | rows written |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, label, kind, backend, _ in RUNS:
        run = results.get(name)
        if run is None:
            continue
        baseline = results.get(f"pandas-{backend}")
        if kind == "pandas":
            ratio = "baseline"
        elif baseline and baseline.get("bars_per_second") and run.get("bars_per_second"):
            ratio = f"{run['bars_per_second'] / baseline['bars_per_second']:.1f}×"
        else:
            ratio = "—"
        if kind == "swift":
            written = f"inserted {fmt_int(run['inserted'])}, updated {fmt_int(run['updated'])}"
            if run["rejected"]:
                written += f", rejected {fmt_int(run['rejected'])}"
        else:
            written = f"appended {fmt_int(run['raw_rows'])} raw + {fmt_int(run['clean_rows'])} clean"
        rows.append(
            f"| {label} | {fmt_int(run['bars'])} | {run['seconds']:.1f} | {fmt_int(round(run['bars_per_second']))} | "
            f"{run['peak_rss_mb']:.0f} | {ratio} | {written} |"
        )
    lines = rows + [""] + goal_lines(results)
    facts_line = (
        f"Machine: {facts['nproc']} cores, {facts['cpu']}, {facts['memory_gib']} GiB RAM, Linux {facts['kernel']}; "
        f"{facts['swift']}; Python {facts['python']}"
    )
    pandas_run = results.get("pandas-sqlite") or results.get("pandas-postgres")
    if pandas_run:
        facts_line += f", pandas {pandas_run['pandas']}"
    facts_line += f"; SQLite {facts['sqlite_python']} (Python's)"
    if facts.get("postgresql"):
        facts_line += f"; {facts['postgresql']}"
    if facts.get("load_average_before"):
        facts_line += f"; load average before the runs {facts['load_average_before']}"
    method = pandas_run["method"] if pandas_run else "executemany"
    lines += [
        f"Measured {facts['date']} by `make bench` (bench/run-etl-bench.sh)"
        + (f" on {tickers} synthetic tickers" if tickers else "")
        + " × the NYSE sessions 2005-01-03..2024-12-31 (bench/generate_bars.py, seeded). " + facts_line + ".",
        "",
        "Seconds and peak RSS are `/usr/bin/time -v` wall-clock time and maximum resident set size of the whole "
        "process (start-up included). Swift: `stockcast etl run --offline --exchange NYSE --source csv:DIR` into a "
        "fresh data directory or a fresh PostgreSQL database, then the same command again (the re-run must write "
        "nothing). pandas: bench/pandas_etl.py, the original's per-ticker path — `read_csv`, the original's "
        "indicators plus RSI14, log return and volatility20, `dropna`, then `DataFrame.to_sql(if_exists=\"append\", "
        f"method={'None' if method == 'executemany' else repr(method)})` of the raw and the cleaned rows; like the "
        "original it only appends (no key, no upsert), so its re-run would store every row twice and is not timed. "
        "The ratio divides bars/s by the pandas run's on the same backend.",
    ]
    return "\n".join(lines) + "\n"


def goal_lines(results: dict) -> list[str]:
    checks: list[str] = []

    def check(text: str, passed: bool) -> None:
        checks.append(f"- {'PASS' if passed else 'FAIL'}: {text}")

    for backend, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        swift, pandas = results.get(f"swift-{backend}"), results.get(f"pandas-{backend}")
        if swift and pandas and pandas["bars_per_second"]:
            ratio = swift["bars_per_second"] / pandas["bars_per_second"]
            check(f"≥ {GOAL_RATIO:.0f}× the pandas path into {name}: {ratio:.1f}×", ratio >= GOAL_RATIO)
    swift = results.get("swift-sqlite")
    if swift:
        check(
            f"{fmt_int(swift['bars'])}-bar ingest into SQLite under {GOAL_SQLITE_SECONDS:.0f} s: {swift['seconds']:.1f} s",
            swift["seconds"] < GOAL_SQLITE_SECONDS,
        )
    swift_runs = [(n, r) for n, r in results.items() if n.startswith("swift-")]
    if swift_runs:
        peak = max(r["peak_rss_mb"] for _, r in swift_runs)
        check(f"peak RSS under {GOAL_RSS_MB:.0f} MB (largest Swift run): {peak:.0f} MB", peak < GOAL_RSS_MB)
    for name, label, _, _, rerun in RUNS:
        run = results.get(name) if rerun else None
        if run:
            check(f"{label} adds 0 rows: inserted {run['inserted']}, updated {run['updated']}",
                  run["inserted"] == 0 and run["updated"] == 0)
    return ["Goals (from the issue):", ""] + checks + [""] if checks else []


def publish(path: str, section: str) -> None:
    """Replaces the text between the markers (creating the file or the section when missing)."""
    text = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    block = f"{START}\n{section.rstrip()}\n{END}"
    if START in text and END in text and text.index(START) < text.index(END):
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    elif text:
        text = text.rstrip("\n") + "\n\n## ETL ingest\n\n" + block + "\n"
    else:
        text = INTRO + block + "\n"
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs-dir", required=True)
    parser.add_argument("--json", required=True, help="where to write etl.json")
    parser.add_argument("--benchmarks", help="BENCHMARKS.md to update (only when every run is present)")
    parser.add_argument("--tickers", type=int)
    parser.add_argument("--swift", default="swift", help="swift executable for the version line")
    parser.add_argument("--postgres-version", help="the server's version string")
    parser.add_argument("--load-before", help="/proc/loadavg's 1/5/15-minute averages before the runs")
    args = parser.parse_args()

    results: dict = {}
    problems: list[str] = []
    for name, _, kind, _, rerun in RUNS:
        directory = os.path.join(args.runs_dir, name)
        if not os.path.isdir(directory):
            continue
        try:
            results[name] = parse_run(directory, kind)
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as error:
            problems.append(f"{name}: {error}")
            continue
        run = results[name]
        if kind == "swift" and run["failed"]:
            problems.append(f"{name}: {run['failed']} ETL run(s) failed")
        if rerun and (run["inserted"] or run["updated"]):
            problems.append(f"{name}: the re-run changed rows (inserted {run['inserted']}, updated {run['updated']})")

    facts = machine_facts(args.swift, args.postgres_version, args.load_before)
    table = markdown(results, facts, args.tickers)
    with open(args.json, "w", encoding="utf-8") as handle:
        json.dump({"machine": facts, "tickers": args.tickers, "runs": results, "problems": problems}, handle, indent=2)
    print(table)
    if problems:
        for problem in problems:
            print(f"etl_report: {problem}", file=sys.stderr)
        return 1
    if args.benchmarks:
        if len(results) == len(RUNS):
            publish(args.benchmarks, table)
            print(f"etl_report: updated {args.benchmarks}")
        else:
            print(f"etl_report: {len(results)} of {len(RUNS)} runs present; {args.benchmarks} left unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())

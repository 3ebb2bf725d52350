"""UI benchmark in headless Chromium (run by bench/run-ui-bench.sh against a server on the sample data):

- page weight: bytes of HTML, CSS and JS each page actually loads (cold, cache disabled; Resource Timing
  decodedBodySize), plus the JS of every module on disk (the "< 150 KB of JS in total" goal);
- time to first chart on Stocks for ^GSPC (5,031 sessions): navigation start → the candlestick chart drawn
  (performance mark `stockcast:first-chart`), and → the whole history loaded and drawn (`stockcast:full-history`);
- frame time while panning: real input (Chrome DevTools Protocol mouse drags and wheel events, so pointer capture
  works as for a user) while a requestAnimationFrame loop in the page records frame intervals, and the chart's own
  draw durations; at the default one-year view and with the whole 20-year history visible.

Writes bench/out/ui.json and the BENCHMARKS.md section between <!-- ui:start --> and <!-- ui:end -->.
"""

import argparse
import datetime
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Browser"))
from harness import Browser  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
WEB = os.path.join(ROOT, "Sources", "App", "Resources", "Web")
PAGES = ["overview", "stocks?ticker=GOOG", "datasets", "models", "forecast", "production"]
FIRST_CHART_GOAL_MS = 300
JS_GOAL_BYTES = 150 * 1024


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def cold_load(browser, route):
    """Loads `route` from scratch with the HTTP cache disabled."""
    browser.driver.execute_cdp_cmd("Network.enable", {})
    browser.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    browser.driver.get("about:blank")
    browser.driver.get(f"{browser.base_url}/#/{route}")


def page_weight(browser, route):
    cold_load(browser, route)
    browser.wait(lambda: browser.js("return !!document.querySelector('main .page')"), 30, f"{route} to render")
    time.sleep(1.0)  # let lazily imported modules and late fetches finish before reading Resource Timing
    entries = browser.js("""
      const nav = performance.getEntriesByType('navigation')[0];
      const list = performance.getEntriesByType('resource').map((e) => ({ name: e.name, type: e.initiatorType, bytes: e.decodedBodySize, wire: e.transferSize }));
      list.push({ name: nav.name, type: 'navigation', bytes: nav.decodedBodySize, wire: nav.transferSize });
      return list;""")
    weight = {"html": 0, "css": 0, "js": 0, "api": 0, "js_files": 0}
    for e in entries:
        path = e["name"].split("#", 1)[0].split("?", 1)[0]
        if e["type"] == "navigation" or path.endswith(".html") or path.endswith("/"):
            weight["html"] += e["bytes"]
        elif path.endswith(".css"):
            weight["css"] += e["bytes"]
        elif path.endswith(".js"):
            weight["js"] += e["bytes"]
            weight["js_files"] += 1
        elif "/api/" in path:
            weight["api"] += e["bytes"]
    weight["ui_total"] = weight["html"] + weight["css"] + weight["js"]
    return weight


def first_chart(browser, runs):
    samples = []
    for _ in range(runs):
        cold_load(browser, "stocks?ticker=%5EGSPC&exchange=NYSE")
        browser.wait(lambda: browser.js("return performance.getEntriesByName('stockcast:full-history').length > 0"), 60, "the ^GSPC history")
        marks = browser.js("""
          const at = (n) => performance.getEntriesByName(n)[0].startTime;
          const el = document.querySelector('.price-chart');
          return { first: at('stockcast:first-chart'), full: at('stockcast:full-history'), bars: Number(el.dataset.bars),
                   dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd };""")
        samples.append(marks)
    bars = samples[-1]["bars"]
    return {
        "ticker": "^GSPC", "sessions": bars, "runs": runs,
        "first_chart_ms": {"median": statistics.median(s["first"] for s in samples), "min": min(s["first"] for s in samples), "max": max(s["first"] for s in samples)},
        "full_history_ms": {"median": statistics.median(s["full"] for s in samples), "min": min(s["full"] for s in samples), "max": max(s["full"] for s in samples)},
        "dom_content_loaded_ms": statistics.median(s["dcl"] for s in samples),
    }


def pan(browser, view, seconds):
    """Drags and wheels over the chart for `seconds`; returns frame intervals and draw durations."""
    el = browser.find(".price-chart[data-stage='full']", 30, "the full chart")
    if view == "all":
        browser.find("[data-range='All']").click()
    else:
        browser.find("[data-range='1Y']").click()
    browser.next_frames(3)
    visible_at_start = int(browser.js("const c = arguments[0].chart; return Math.round(c.end - c.start);", el))
    rect = browser.js("const r = arguments[0].getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height};", el)
    cx, cy = rect["x"] + rect["w"] / 2, rect["y"] + rect["h"] / 2
    browser.js("""
      const chart = arguments[0].chart;
      window.__bench = { frames: [], drawsBefore: chart.surface.draws, running: true };
      const tick = (t) => { window.__bench.frames.push(t); if (window.__bench.running) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);""", el)
    cdp = browser.driver.execute_cdp_cmd
    deadline = time.monotonic() + seconds
    events = 0
    direction = 1
    while time.monotonic() < deadline:
        cdp("Input.dispatchMouseEvent", {"type": "mousePressed", "x": cx, "y": cy, "button": "left", "clickCount": 1})
        for step in range(1, 31):
            cdp("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": cx + direction * step * 8, "y": cy, "button": "left", "buttons": 1})
            events += 1
        cdp("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": cx + direction * 240, "y": cy, "button": "left", "clickCount": 1})
        for _ in range(10):
            cdp("Input.dispatchMouseEvent", {"type": "mouseWheel", "x": cx, "y": cy, "deltaX": 0, "deltaY": 60 * direction})
            events += 1
        direction = -direction
    result = browser.js("""
      window.__bench.running = false;
      const chart = arguments[0].chart;
      const f = window.__bench.frames;
      const intervals = f.slice(1).map((t, i) => t - f[i]);
      const draws = chart.surface.draws - window.__bench.drawsBefore;
      const ring = chart.surface.drawTimes;
      const n = Math.min(draws, ring.length);
      const times = [];
      for (let k = 0; k < n; k++) times.push(ring[(chart.surface.draws - 1 - k + ring.length) % ring.length]);
      return { intervals, draws, drawTimes: times, visibleBars: Math.round(chart.end - chart.start) };""", el)
    iv = result["intervals"]
    dt = result["drawTimes"]
    return {
        "view": view, "visible_bars": visible_at_start, "visible_bars_at_end": result["visibleBars"], "seconds": seconds, "input_events": events,
        "frames": len(iv), "redraws": result["draws"],
        "frame_interval_ms": {"mean": statistics.fmean(iv), "p95": percentile(iv, 95), "max": max(iv)},
        "frames_over_20ms_pct": 100 * sum(1 for x in iv if x > 20) / len(iv),
        "draw_ms": {"mean": statistics.fmean(dt), "p95": percentile(dt, 95), "max": max(dt)} if dt else None,
    }


def disk_js():
    total = 0
    files = 0
    gzipped = 0
    for base, _, names in os.walk(WEB):
        for name in names:
            if name.endswith(".js"):
                with open(os.path.join(base, name), "rb") as handle:
                    data = handle.read()
                total += len(data)
                gzipped += len(gzip.compress(data, 6))  # the server's level (StaticCompressionMiddleware)
                files += 1
    css = sum(os.path.getsize(os.path.join(b, n)) for b, _, ns in os.walk(WEB) for n in ns if n.endswith(".css"))
    return {"js_bytes": total, "js_gzip_bytes": gzipped, "js_files": files, "css_bytes": css, "html_bytes": os.path.getsize(os.path.join(WEB, "index.html"))}


def machine(binary_mode):
    cpu = ""
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    except OSError:
        pass
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = "chromium (version unknown)"
    return {"cpus": os.cpu_count(), "cpu": cpu, "load_average_1min": round(os.getloadavg()[0], 2), "os": platform.platform(), "browser": chromium, "server_build": binary_mode,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def kb(n):
    return f"{n / 1024:.1f} KB"


def markdown(r):
    m = r["machine"]
    fc = r["first_chart"]
    max_page = max(r["pages"].items(), key=lambda kv: kv[1]["js"])
    lines = [
        "<!-- ui:start -->",
        "## Web UI (headless Chromium)",
        "",
        f"Measured {m['date']} by `bench/run-ui-bench.sh` on {m['cpus']} CPUs ({m['cpu'] or 'unknown CPU'}), {m['browser']}, "
        f"against a **{m['server_build']}** build of the server on the sample data; load average {m['load_average_1min']} when it "
        "started (the machine is shared, so medians move between runs). Reproduce: `bench/run-ui-bench.sh`.",
        "",
        "| goal | measured | |",
        "|---|---|---|",
        f"| JS < 150 KB, per page | largest: {kb(max_page[1]['js'])} (`#/{max_page[0]}`) | {'met' if max_page[1]['js'] < JS_GOAL_BYTES else 'missed'} |",
        f"| JS < 150 KB, all modules | {kb(r['disk']['js_gzip_bytes'])} as served to browsers (gzip); {kb(r['disk']['js_bytes'])} uncompressed in {r['disk']['js_files']} modules, unminified with comments | {'met' if r['disk']['js_gzip_bytes'] < JS_GOAL_BYTES else 'missed'} |",
        f"| first chart < 300 ms (Stocks, {fc['ticker']}, {fc['sessions']:,} sessions) | {fc['first_chart_ms']['median']:.0f} ms median of {fc['runs']} cold loads (min {fc['first_chart_ms']['min']:.0f}, max {fc['first_chart_ms']['max']:.0f}) | {'met' if fc['first_chart_ms']['median'] < FIRST_CHART_GOAL_MS else 'missed'} |",
        "",
        f"Time to first chart runs from navigation start (HTML, CSS, the JS modules, `/api/datasets`, the latest ~13 months of bars) "
        f"to the drawn candlesticks; the whole {fc['sessions']:,}-session history then loads in the background and is drawn at "
        f"**{fc['full_history_ms']['median']:.0f} ms** median (min {fc['full_history_ms']['min']:.0f}, max {fc['full_history_ms']['max']:.0f}). "
        f"DOMContentLoaded: {fc['dom_content_loaded_ms']:.0f} ms.",
        "",
        "Pages load their modules lazily (each page imports only what it uses), so a page never loads all of them.",
        "Page weight (cold load, cache disabled; decoded bytes of what each page actually loads; API JSON listed apart):",
        "",
        "| page | HTML | CSS | JS (files) | UI total | API JSON |",
        "|---|---|---|---|---|---|",
    ]
    for page, w in r["pages"].items():
        lines.append(f"| `#/{page}` | {kb(w['html'])} | {kb(w['css'])} | {kb(w['js'])} ({w['js_files']}) | {kb(w['ui_total'])} | {kb(w['api'])} |")
    lines += [
        "",
        "Frame time while panning (real mouse drags and wheel zooms through the DevTools protocol; requestAnimationFrame "
        "intervals in the page; draw = the chart's own canvas redraw):",
        "",
        "| view | bars visible | frames | frame interval mean / p95 / max | frames > 20 ms | redraws | draw mean / p95 / max |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in r["panning"]:
        fi, d = p["frame_interval_ms"], p["draw_ms"] or {"mean": 0, "p95": 0, "max": 0}
        lines.append(f"| {p['view']} | {p['visible_bars']:,} | {p['frames']} | {fi['mean']:.1f} / {fi['p95']:.1f} / {fi['max']:.1f} ms | "
                     f"{p['frames_over_20ms_pct']:.1f} % | {p['redraws']} | {d['mean']:.2f} / {d['p95']:.2f} / {d['max']:.2f} ms |")
    lines += ["", "<!-- ui:end -->"]
    return "\n".join(lines)


def write_section(path, section):
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    start, end = "<!-- ui:start -->", "<!-- ui:end -->"
    if start in text and end in text:
        text = text[:text.index(start)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(path, "w") as handle:
        handle.write(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--server-build", default="unknown")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pan-seconds", type=float, default=4)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "ui.json"))
    parser.add_argument("--benchmarks-md", default=os.path.join(ROOT, "BENCHMARKS.md"))
    args = parser.parse_args()
    browser = Browser(args.base_url)
    try:
        pages = {route.split("?")[0]: page_weight(browser, route) for route in PAGES}
        first = first_chart(browser, args.runs)
        panning = [pan(browser, "1y", args.pan_seconds), pan(browser, "all", args.pan_seconds)]
    finally:
        browser.quit()
    result = {"machine": machine(args.server_build), "disk": disk_js(), "pages": pages, "first_chart": first, "panning": panning,
              "goals": {"js_total_bytes": JS_GOAL_BYTES, "first_chart_ms": FIRST_CHART_GOAL_MS}}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump(result, handle, indent=2)
    section = markdown(result)
    write_section(args.benchmarks_md, section)
    print(section)


if __name__ == "__main__":
    main()

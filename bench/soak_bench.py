#!/usr/bin/env python3
"""Soak benchmark (issue 9): a release `stockcast serve` under 10 minutes of mixed load on loopback: REST reads,
single-day predictions, 200 WebSocket clients on /ws/predictions and /ws/metrics, one XGBoost training and one ETL run
during the run. Records every request's status and latency (per-minute p50/p95/p99), the server's RSS every 5 s and the
frames the WebSocket clients received.

Usage: soak_bench.py BINARY OUT.json [--seconds 600] [--clients 200]. Needs `websockets` (PyPI)."""

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import sys

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Faults"))
from faultlib import free_port, rss_kib  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("binary")
parser.add_argument("out")
parser.add_argument("--seconds", type=int, default=600)
parser.add_argument("--clients", type=int, default=200)
args = parser.parse_args()


def call(port, method, path, body=None, key=None, timeout=30, content_type="application/json"):
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    headers = {"Content-Type": content_type}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def training_seconds(task):
    """Seconds from the task's start to its end (None while it runs)."""
    from datetime import datetime
    if not task.get("started_at") or not task.get("finished_at"):
        return None
    parse = lambda text: datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (parse(task["finished_at"]) - parse(task["started_at"])).total_seconds()


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def csv_rows(start_year, count):
    lines = ["Date,Open,High,Low,Close,Volume"]
    day = time.mktime((start_year, 1, 2, 12, 0, 0, 0, 0, -1))
    price = 50.0
    while len(lines) <= count:
        t = time.localtime(day)
        if t.tm_wday < 5:
            price *= 1 + random.uniform(-0.01, 0.0105)
            lines.append(f"{time.strftime('%Y-%m-%d', t)},{price:.2f},{price * 1.01:.2f},{price * 0.99:.2f},{price:.2f},{random.randint(10**5, 10**6)}")
        day += 86400
    return "\n".join(lines).encode()


def main():
    scratch = tempfile.mkdtemp(prefix="stockcast-soak-")
    port = free_port()
    env = {**os.environ, "SWIFT_BACKTRACE": "enable=no", "STOCKCAST_ETL_SCHEDULE_ENABLED": "false", "STOCKCAST_LOG_ACCESS": "false",
           "STOCKCAST_METRICS_PUBLISH_INTERVAL_SECONDS": "1"}
    log = open(os.path.join(scratch, "server.log"), "w")
    server = subprocess.Popen([args.binary, "serve", "--data-dir", os.path.join(scratch, "data"), "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                status, body = call(port, "GET", "/api/datasets", timeout=5)
                if status == 200 and len(json.loads(body)) >= 2:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        key = open(os.path.join(scratch, "data", "admin.key")).read().strip()
        status, body = call(port, "POST", "/api/models/", {"ticker": "GOOG", "exchange": "NASDAQ", "model_type": "drift", "features": [],
                                                          "val_size": 0.2, "hyper_parameters": {"max_horizon": 5}}, key)
        drift = json.loads(body)["id"]
        status, body = call(port, "POST", "/api/train", {"model_id": drift}, key)
        task = json.loads(body)["task_id"]
        while json.loads(call(port, "GET", f"/api/tasks/{task}")[1])["status"] not in ("completed", "failed"):
            time.sleep(0.2)
        status, body = call(port, "POST", "/api/models/", {"ticker": "GOOG", "exchange": "NASDAQ", "model_type": "xgboost", "features": [],
                                                          "val_size": 0.2, "hyper_parameters": {"max_horizon": 5, "n_estimators": 100}}, key)
        xgboost = json.loads(body)["id"]
        sessions = [row["date"] for row in json.loads(call(port, "GET", "/api/datasets/GOOG/prices?exchange=NASDAQ&limit=5000")[1])["prices"]][-400:]

        records = []  # (seconds since start, kind, status, latency)
        lock = threading.Lock()
        stop = threading.Event()
        started = time.monotonic()
        rss = []
        frames = {"received": 0, "clients_connected": 0, "errors": 0}

        def worker(seed):
            rng = random.Random(seed)
            while not stop.is_set():
                kind = rng.choice(["datasets", "prices", "history", "predict", "predict", "runs", "health"])
                path, method, body = {
                    "datasets": ("/api/datasets", "GET", None),
                    "prices": (f"/api/datasets/GOOG/prices?exchange=NASDAQ&limit=200&from={rng.choice(sessions)}", "GET", None),
                    "history": ("/api/predict/?limit=50", "GET", None),
                    "predict": ("/api/predict/", "POST", {"ticker": "GOOG", "exchange": "NASDAQ", "target_date": rng.choice(sessions), "model_id": drift}),
                    "runs": ("/api/etl/runs?limit=20", "GET", None),
                    "health": ("/health", "GET", None),
                }[kind]
                begin = time.monotonic()
                try:
                    status, _ = call(port, method, path, body, key if method == "POST" else None)
                except OSError:
                    status = 0
                with lock:
                    records.append((begin - started, kind, status, time.monotonic() - begin))
                time.sleep(rng.uniform(0.005, 0.02))

        def sampler():
            while not stop.is_set():
                rss.append((time.monotonic() - started, rss_kib(server.pid)))
                stop.wait(5)

        def events():
            time.sleep(30)  # one training and one ETL run while the load runs, both in minute 1
            call(port, "POST", "/api/train", {"model_id": xgboost}, key)
            time.sleep(15)
            call(port, "POST", "/api/datasets/SOAK/import?exchange=NYSE", csv_rows(1980, 10000), key, content_type="text/csv")

        async def websocket_clients():
            async def client(index):
                channel = "predictions" if index % 2 == 0 else "metrics"
                try:
                    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/{channel}", max_queue=None) as socket_:
                        frames["clients_connected"] += 1
                        while not stop.is_set():
                            try:
                                await asyncio.wait_for(socket_.recv(), timeout=1)
                                frames["received"] += 1
                            except asyncio.TimeoutError:
                                continue
                except Exception:
                    frames["errors"] += 1
            await asyncio.gather(*(client(index) for index in range(args.clients)))

        threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
        threads += [threading.Thread(target=sampler), threading.Thread(target=events, daemon=True)]
        ws_thread = threading.Thread(target=lambda: asyncio.run(websocket_clients()))
        for thread in threads + [ws_thread]:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads[:5] + [ws_thread]:
            thread.join(timeout=60)

        minutes = []
        for minute in range(max(1, args.seconds // 60)):
            window = [r for r in records if minute * 60 <= r[0] < (minute + 1) * 60]
            latencies = [r[3] * 1000 for r in window]
            minutes.append({
                "minute": minute + 1, "requests": len(window), "errors": sum(1 for r in window if not 200 <= r[2] < 300),
                "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95), "p99_ms": percentile(latencies, 0.99),
            })
        # Growth is measured from minute 3, once the training and the import have taken their working memory (glibc
        # keeps freed memory mapped, so that step stays in RSS); start and peak are reported beside it.
        baseline = [kib for at, kib in rss if 120 <= at < 180] or [rss[0][1]]
        end = [kib for at, kib in rss if at >= args.seconds - 60] or [rss[-1][1]]
        errors = [r for r in records if not 200 <= r[2] < 300]
        status, body = call(port, "GET", f"/api/tasks?kind=train&limit=5")
        trainings = [t for t in json.loads(body)["tasks"] if t.get("model_id") == xgboost]
        runs = json.loads(call(port, "GET", "/api/etl/runs?ticker=SOAK&limit=5")[1])["runs"]
        result = {
            "seconds": args.seconds, "websocket_clients": args.clients, "requests": len(records), "errors": len(errors),
            "error_examples": [{"kind": r[1], "status": r[2]} for r in errors[:10]],
            "by_kind": {kind: len([r for r in records if r[1] == kind]) for kind in sorted({r[1] for r in records})},
            "minutes": minutes, "rss_mib_baseline": sum(baseline) / len(baseline) / 1024, "rss_mib_end": sum(end) / len(end) / 1024,
            "rss_mib_start": rss[0][1] / 1024, "rss_mib_max": max(kib for _, kib in rss) / 1024, "rss_samples": [(round(at), kib) for at, kib in rss],
            "websocket": frames, "training": trainings[0]["status"] if trainings else "missing",
            "training_seconds": training_seconds(trainings[0]) if trainings else None,
            "etl_run": runs[0]["status"] if runs else "missing", "server_alive": server.poll() is None,
        }
        result["rss_growth_pct"] = 100 * (result["rss_mib_end"] - result["rss_mib_baseline"]) / result["rss_mib_baseline"]
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        json.dump(result, open(args.out, "w"), indent=1)
        print(json.dumps({k: v for k, v in result.items() if k not in ("rss_samples", "minutes")}, indent=1))
        for row in minutes:
            print(row)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The serving benchmark (bench/run-forecast-bench.sh): `POST /api/predict/` throughput and latency at 1, 16 and 64
concurrent connections (wrk, bench/wrk-post.lua), our release server side by side with the FastAPI + uvicorn anchor
(bench/anchors/fastapi_predict/app.py) serving the same model, loopback only, each run bounded by --duration.

1. Ours: `stockcast serve` on a fresh data directory (the bundled sample data is ingested on first start; the ETL
   schedule is off; log level warning), the operator key from <data_dir>/admin.key; an xgboost model for ^GSPC
   (NYSE) is registered, trained (max_horizon 10, refit_every 250 to keep the training short) and promoted with
   force=true; one probe request picks the next session after the last stored bar as the target; a 2 s warm-up, then
   one wrk run per connection count. SIGTERM stops it.
2. The anchor with 1 uvicorn worker (the original ran one per backend container) and with 2 workers (both cores), on
   the artifact of the same model and the same SQLite store; its probe must give our predicted close (to 1e-6
   relative) before anything is timed.

Peak RSS: the largest sum of VmRSS over the server's process tree, sampled every 50 ms (uvicorn with 2 workers is
three processes), and /usr/bin/time -v's maximum resident set size of the main process as a cross-check.
Writes OUT_DIR/serving.json. Exit status 1 when a step fails (the servers are stopped first).

Afterwards `StockCastBench store-read` times, in process, the bar read our route makes on every request (the whole
series through `cleanBars`) on the file the server wrote: a diagnostic of where our time goes.

Usage: serving_bench.py --stockcast BIN --bench-binary BIN --out-dir DIR [--duration 10] [--connections 1,16,64]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICKER, EXCHANGE = "^GSPC", "NYSE"


def log(message: str) -> None:
    print(f"[serving {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(method: str, url: str, body: dict | None = None, key: str | None = None, timeout: float = 30):
    """(status, decoded JSON or text) of one HTTP request."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, text


class Server:
    """A server process under `/usr/bin/time -v`, with a sampler of its process tree's resident memory."""

    def __init__(self, name: str, command: list[str], env: dict, run_dir: str):
        os.makedirs(run_dir, exist_ok=True)
        self.name = name
        self.time_file = os.path.join(run_dir, "time")
        self.stdout = open(os.path.join(run_dir, "stdout"), "w")
        self.stderr = open(os.path.join(run_dir, "stderr"), "w")
        self.process = subprocess.Popen(["/usr/bin/time", "-v", "-o", self.time_file] + command, env=env,
                                        stdout=self.stdout, stderr=self.stderr, start_new_session=True)
        self.peak_kb = 0
        self.sampling = True
        self.sampler = threading.Thread(target=self.sample, daemon=True)
        self.sampler.start()

    @staticmethod
    def children() -> dict[int, list[int]]:
        tree: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(parent, []).append(int(entry))
        return tree

    def descendants(self) -> list[int]:
        tree = self.children()
        found, stack = [], list(tree.get(self.process.pid, []))
        while stack:
            pid = stack.pop()
            found.append(pid)
            stack.extend(tree.get(pid, []))
        return found

    def sample(self) -> None:
        while self.sampling and self.process.poll() is None:
            total = 0
            for pid in self.descendants():
                try:
                    with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
                        for line in handle:
                            if line.startswith("VmRSS:"):
                                total += int(line.split()[1])
                                break
                except (OSError, ValueError):
                    pass
            self.peak_kb = max(self.peak_kb, total)
            time.sleep(0.05)

    def stop(self) -> dict:
        """SIGTERM to the server (time's child), SIGKILL to the group after 30 s; the RSS figures."""
        self.sampling = False
        for pid in self.children().get(self.process.pid, []):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.stdout.close()
        self.stderr.close()
        time_rss = None
        try:
            with open(self.time_file, encoding="utf-8") as handle:
                for line in handle:
                    if "Maximum resident set size" in line:
                        time_rss = int(line.rsplit(":", 1)[1]) / 1024
        except OSError:
            pass
        return {"peak_rss_mb_tree": round(self.peak_kb / 1024, 1),
                "peak_rss_mb_main_process": round(time_rss, 1) if time_rss else None}


def wait_for(what: str, check, timeout: float, server: Server):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited while waiting for {what} (see its stderr)")
        try:
            value = check()
            if value:
                return value
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{server.name}: timed out after {timeout:.0f} s waiting for {what}")


def wrk(url: str, connections: int, duration: int, body: dict, key: str, out_dir: str, label: str) -> dict:
    env = dict(os.environ, WRK_BODY=json.dumps(body), WRK_KEY=key)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
               "-s", os.path.join(ROOT, "bench", "wrk-post.lua"), url]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 60, check=False)
    with open(os.path.join(out_dir, f"wrk-{label}-c{connections}.txt"), "w", encoding="utf-8") as handle:
        handle.write(result.stdout + result.stderr)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed for {label} at {connections} connections: {result.stderr.strip()}")
    data = json.loads(lines[-1])
    data["connections"] = connections
    data["requests_per_second"] = round(data["requests"] / (data["duration_us"] / 1e6), 1)
    errors = sum(data["errors"].values())
    log(f"{label} c={connections}: {data['requests_per_second']:.0f} req/s, p50 {data['latency_us']['p50'] / 1000:.2f} ms, "
        f"p99 {data['latency_us']['p99'] / 1000:.2f} ms, errors {errors}")
    return data


def load_runs(url: str, body: dict, key: str, args, label: str) -> list[dict]:
    wrk(url, 16, 2, body, key, args.out_dir, f"{label}-warmup")
    return [wrk(url, c, args.duration, body, key, args.out_dir, label) for c in args.connections]


def ours(args) -> dict:
    data_dir = os.path.join(args.out_dir, "stockcast-data")
    shutil.rmtree(data_dir, ignore_errors=True)
    os.makedirs(data_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOCKCAST_")}
    env.update(STOCKCAST_HTTP_HOST="127.0.0.1", STOCKCAST_HTTP_PORT=str(port), STOCKCAST_LOG_LEVEL="warning",
               STOCKCAST_ETL_SCHEDULE_ENABLED="false", STOCKCAST_ETL_SAMPLE_DATA="true")
    server = Server("stockcast", [args.stockcast, "serve", "--data-dir", data_dir], env,
                    os.path.join(args.out_dir, "stockcast"))
    try:
        def datasets_ready():
            status, body = request("GET", f"{base}/api/datasets")
            if status != 200 or not isinstance(body, list):
                return None
            found = {(d["ticker"], d["exchange"]): d for d in body}
            return found.get((TICKER, EXCHANGE)) if len(found) >= 2 else None

        dataset = wait_for("the sample data", datasets_ready, 180, server)
        log(f"stockcast on {base}: {TICKER} has {dataset['count']} sessions up to {dataset['end_date']}")
        key = open(os.path.join(data_dir, "admin.key"), encoding="utf-8").read().strip()
        status, model = request("POST", f"{base}/api/models/", {
            "ticker": TICKER, "exchange": EXCHANGE, "model_type": "xgboost",
            "hyper_parameters": {"max_horizon": 10, "refit_every": 250}}, key)
        if status != 201:
            raise RuntimeError(f"register: {status} {model}")
        model_id = model["id"]
        status, task = request("POST", f"{base}/api/train", {"model_id": model_id}, key)
        if status != 202:
            raise RuntimeError(f"train: {status} {task}")
        started = time.monotonic()

        def trained():
            status, body = request("GET", f"{base}/api/train/status/{task['task_id']}")
            if status == 200 and body["status"] in ("failed", "cancelled"):
                raise RuntimeError(f"training {body['status']}: {body.get('error')}")
            return body if status == 200 and body["status"] == "completed" else None

        wait_for("the training", trained, 900, server)
        training_seconds = time.monotonic() - started
        log(f"model {model_id} trained in {training_seconds:.1f} s")
        status, promoted = request("POST", f"{base}/api/models/{model_id}/promote?force=true", None, key)
        if status != 200:
            raise RuntimeError(f"promote: {status} {promoted}")
        status, record = request("GET", f"{base}/api/models/{model_id}")
        artifact = record["artifact_uri"].removeprefix("file://")
        # The target: the first session after the last stored bar (our calendar decides, 422 otherwise).
        day = date.fromisoformat(dataset["end_date"])
        probe = None
        for _ in range(10):
            day += timedelta(days=1)
            body = {"ticker": TICKER, "exchange": EXCHANGE, "target_date": day.isoformat()}
            status, probe = request("POST", f"{base}/api/predict/", body, key)
            if status == 200:
                break
        if status != 200:
            raise RuntimeError(f"no target session found after {dataset['end_date']}: {status} {probe}")
        log(f"probe: {body['target_date']} from {probe['origin_date']}: predicted close {probe['predicted_close']:.4f}")
        runs = load_runs(f"{base}/api/predict/", body, key, args, "stockcast")
    finally:
        memory = server.stop()
    store = os.path.join(data_dir, "stockcast.sqlite")
    if not os.path.exists(store):
        raise RuntimeError(f"{store} not found")
    # Diagnostic: the per-request bar read on its own, in process, on the file the server wrote.
    probe_out = os.path.join(args.out_dir, "store-read.json")
    read = subprocess.run([args.bench_binary, "store-read", "--sqlite", store, "--ticker", TICKER, "--exchange", EXCHANGE,
                           "--out", probe_out], capture_output=True, text=True, timeout=600, check=False)
    if read.returncode != 0:
        raise RuntimeError(f"StockCastBench store-read failed: {read.stderr.strip()}")
    store_read = json.load(open(probe_out, encoding="utf-8"))
    log(read.stdout.strip())
    return {"name": "stockcast", "label": "StockCast (release)", "model_id": model_id, "artifact": artifact,
            "store": store, "key": key, "body": body, "probe": probe, "training_seconds": round(training_seconds, 1),
            "dataset_sessions": dataset["count"], "runs": runs, "store_read": store_read, **memory}


def anchor(args, reference: dict, workers: int) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    label = f"fastapi-{workers}w"
    predictions = os.path.join(args.out_dir, f"{label}-predictions.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(predictions + suffix):
            os.remove(predictions + suffix)
    env = dict(os.environ, ANCHOR_STORE=reference["store"], ANCHOR_ARTIFACT=reference["artifact"],
               ANCHOR_MODEL_ID=str(reference["model_id"]), ANCHOR_KEY=reference["key"], ANCHOR_PREDICTIONS=predictions)
    command = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir",
               os.path.join(ROOT, "bench", "anchors", "fastapi_predict"), "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    server = Server(label, command, env, os.path.join(args.out_dir, label))
    try:
        def answered():
            status, body = request("POST", f"{base}/api/predict/", reference["body"], reference["key"])
            if status not in (200,) and isinstance(body, dict) and "detail" in body:
                raise RuntimeError(f"{label} probe: {status} {body}")
            return body if status == 200 else None

        probe = wait_for("the first answer", answered, 120, server)
        ours_close = reference["probe"]["predicted_close"]
        difference = abs(probe["predicted_close"] - ours_close) / ours_close
        log(f"{label} probe: predicted close {probe['predicted_close']:.4f} (ours {ours_close:.4f}, relative difference {difference:.1e})")
        if difference > 1e-6 or probe["origin_date"] != reference["probe"]["origin_date"]:
            raise RuntimeError(f"{label} does not make the same prediction as ours: {probe} vs {reference['probe']}")
        runs = load_runs(f"{base}/api/predict/", reference["body"], reference["key"], args, label)
    finally:
        memory = server.stop()
    return {"name": label, "label": f"FastAPI + uvicorn, {workers} worker{'s' if workers > 1 else ''}",
            "workers": workers, "probe": probe, "relative_difference": difference, "runs": runs, **memory}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stockcast", required=True)
    parser.add_argument("--bench-binary", required=True, help="StockCastBench, for the store-read diagnostic")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", default="1,16,64")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    if not 1 <= args.duration <= 120 or not all(1 <= c <= 256 for c in args.connections):
        parser.error("--duration must be 1–120 s and each connection count 1–256")
    os.makedirs(args.out_dir, exist_ok=True)
    import fastapi
    import uvicorn
    import xgboost

    try:
        reference = ours(args)
        anchors = [anchor(args, reference, workers) for workers in (1, 2)]
    except (RuntimeError, OSError, KeyError, json.JSONDecodeError) as error:
        print(f"serving_bench: {error}", file=sys.stderr)
        return 1
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    result = {
        "duration_seconds": args.duration, "connections": args.connections, "ticker": TICKER, "exchange": EXCHANGE,
        "target": reference["body"], "servers": [reference] + anchors,
        "versions": {"fastapi": fastapi.__version__, "uvicorn": uvicorn.__version__, "xgboost": xgboost.__version__,
                     "wrk": (wrk_version.stdout + wrk_version.stderr).strip().splitlines()[0]},
    }
    reference.pop("key")
    with open(os.path.join(args.out_dir, "serving.json"), "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    log(f"wrote {os.path.join(args.out_dir, 'serving.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

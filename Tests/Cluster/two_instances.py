#!/usr/bin/env python3
"""Two `stockcast serve` instances on one Kafka (librdkafka's mock cluster, hosted by `stockcast kafka-mock` in a
third process): a prediction made on instance A reaches a WebSocket client of instance B; B's own events reach A;
an instance whose brokers go away keeps serving REST and WebSocket from local events and recovers.

Usage: two_instances.py BINARY [--keep]. Exit status 0 when every check passed. Needs `websockets` (PyPI)."""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import websockets

BINARY = os.path.abspath(sys.argv[1])
KEEP = "--keep" in sys.argv
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []
processes = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args, log_path, env=None):
    log = open(log_path, "w")
    process = subprocess.Popen([BINARY] + args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                               env={**os.environ, "SWIFT_BACKTRACE": "enable=no", **(env or {})})
    processes.append(process)
    return process


def call(port, method, path, body=None, key=None, timeout=30):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_until(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except (OSError, urllib.error.URLError, ValueError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"timed out after {seconds} s waiting for {what}")


def ready(port):
    status, body = call(port, "GET", "/ready", timeout=5)
    return status == 200


def datasets_loaded(port):
    status, body = call(port, "GET", "/api/datasets", timeout=5)
    return status == 200 and {d["ticker"] for d in body} >= {"GOOG", "^GSPC"}


async def next_event(ws, predicate, seconds):
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        try:
            frame = json.loads(await asyncio.wait_for(ws.recv(), remaining))
        except asyncio.TimeoutError:
            return None
        if predicate(frame):
            return frame


async def journey(a, b, key_a, key_b, mock):
    async with websockets.connect(f"ws://127.0.0.1:{b}/ws/predictions") as on_b, \
            websockets.connect(f"ws://127.0.0.1:{a}/ws/tasks") as tasks_on_a:
        hello = json.loads(await on_b.recv())
        check(hello.get("type") == "hello" and hello.get("instance") == "node-b", "B says hello on /ws/predictions")
        await tasks_on_a.recv()
        # A registers and trains a model; B's task events must not appear on A and vice versa is tested below.
        status, model = call(a, "POST", "/api/models/", {"ticker": "GOOG", "exchange": "NASDAQ", "model_type": "drift",
                                                          "features": [], "val_size": 0.2, "hyper_parameters": {}}, key_a)
        check(status == 201, f"A registers a model ({status})")
        status, task = call(a, "POST", "/api/train", {"model_id": model["id"]}, key_a)
        done = await next_event(tasks_on_a, lambda e: e.get("type") == "task" and e.get("status") == "completed", 120)
        check(done is not None, "A's training completes (seen on A's /ws/tasks)")
        # The consumer groups need a few seconds to join the mock cluster; predict until B sees one (at most 60 s).
        seen = None
        sent_at = None
        deadline = time.monotonic() + 60
        while seen is None and time.monotonic() < deadline:
            sent_at = time.monotonic()
            status, prediction = call(a, "POST", "/api/predict/", {"ticker": "GOOG", "exchange": "NASDAQ",
                                                                   "target_date": "2013-03-04", "model_id": model["id"]}, key_a)
            check(status == 200, f"A answers the prediction ({status})") if status != 200 else None
            seen = await next_event(on_b, lambda e: e.get("type") == "prediction" and e.get("instance") == "node-a", 3)
        check(seen is not None, "a prediction made on A reaches a WebSocket client of B through Kafka")
        if seen:
            check(seen.get("ticker") == "GOOG" and seen.get("model_metadata_id") == model["id"], "the event carries A's prediction")
            print(f"     latency A POST -> B WebSocket: {1000 * (time.monotonic() - sent_at):.1f} ms (includes the HTTP call)")

    # B's metrics digest reaches A's /ws/metrics (every instance publishes; every instance sees all).
    async with websockets.connect(f"ws://127.0.0.1:{a}/ws/metrics") as metrics_on_a:
        from_b = await next_event(metrics_on_a, lambda e: e.get("type") == "metrics" and e.get("instance") == "node-b", 30)
        check(from_b is not None and "cpu_usage_seconds_total" in from_b.get("metrics", {}), "B's metrics digest reaches A's /ws/metrics")

    # Brokers gone: A keeps serving REST and its own WebSocket clients from local events.
    mock.send_signal(signal.SIGTERM)
    mock.wait(timeout=30)
    async with websockets.connect(f"ws://127.0.0.1:{a}/ws/predictions") as on_a:
        await on_a.recv()
        status, _ = call(a, "POST", "/api/predict/", {"ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-03-05",
                                                      "model_id": model["id"]}, key_a)
        check(status == 200, f"A still answers predictions with Kafka gone ({status})")
        local = await next_event(on_a, lambda e: e.get("type") == "prediction" and e.get("target_date") == "2013-03-05", 10)
        check(local is not None, "A's own WebSocket client still gets A's prediction with Kafka gone")
    status, _ = call(a, "GET", "/health")
    check(status == 200, "A is healthy with Kafka gone")
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{a}/metrics", timeout=10).read().decode()
    check("kafka_produce_errors_total" in metrics and "kafka_messages_produced_total" in metrics, "Kafka metrics are exposed")


def main():
    scratch = tempfile.mkdtemp(prefix="stockcast-cluster-")
    print(f"scratch: {scratch}")
    try:
        bootstrap_file = os.path.join(scratch, "bootstrap")
        mock = start(["kafka-mock", "--bootstrap-file", bootstrap_file], os.path.join(scratch, "mock.log"))
        wait_until(lambda: os.path.exists(bootstrap_file), 30, "the mock cluster")
        bootstrap = open(bootstrap_file).read().strip()
        print(f"mock cluster: {bootstrap}")
        ports = {}
        for name in ("a", "b"):
            ports[name] = free_port()
            start(["serve", "--data-dir", os.path.join(scratch, name), "--port", str(ports[name])], os.path.join(scratch, f"{name}.log"),
                  {"STOCKCAST_KAFKA_BOOTSTRAP_SERVERS": bootstrap, "STOCKCAST_INSTANCE_ID": f"node-{name}",
                   "STOCKCAST_METRICS_PUBLISH_INTERVAL_SECONDS": "1", "STOCKCAST_ETL_SCHEDULE_ENABLED": "false"})
        for name, port in ports.items():
            wait_until(lambda: ready(port), 120, f"instance {name} ready")
            wait_until(lambda: datasets_loaded(port), 180, f"instance {name} sample data")
        keys = {name: open(os.path.join(scratch, name, "admin.key")).read().strip() for name in ports}
        asyncio.run(journey(ports["a"], ports["b"], keys["a"], keys["b"], mock))
    except Exception as error:  # a harness failure is a test failure, with its cause
        failures.append(f"{type(error).__name__}: {error}")
        print(f"FAIL {type(error).__name__}: {error}", flush=True)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                failures.append(f"{' '.join(process.args[1:4])} did not stop within 30 s of SIGTERM")
                print(f"FAIL {failures[-1]}", flush=True)
                process.kill()
        if failures:
            for name in ("mock", "a", "b"):
                path = os.path.join(scratch, f"{name}.log")
                if os.path.exists(path):
                    print(f"--- last lines of {name}.log"); print("".join(open(path).readlines()[-25:]))
        log_dir = os.environ.get("STOCKCAST_TEST_LOG_DIR")
        if log_dir:  # for the key grep of `make test`
            os.makedirs(log_dir, exist_ok=True)
            for name in ("mock", "a", "b"):
                if os.path.exists(os.path.join(scratch, f"{name}.log")):
                    shutil.copy(os.path.join(scratch, f"{name}.log"), os.path.join(log_dir, f"cluster-{name}.log"))
        if KEEP or failures:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"{len(failures)} failure(s)" if failures else "two-instance Kafka test passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

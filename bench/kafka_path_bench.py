#!/usr/bin/env python3
"""Kafka path latency (issue 4 benchmarks): `POST /api/predict/` on instance A → a WebSocket client of instance B,
through Kafka (librdkafka's mock cluster hosted by `stockcast kafka-mock`), side by side with the same prediction
reaching a WebSocket client of A itself (the in-process path), in one run.

Usage: kafka_path_bench.py BINARY OUT.json [--requests N]. Each request is timed from just before the HTTP call to
the arrival of its event on each socket (one request at a time, so queueing does not mix in). Prints a summary."""

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Cluster"))
import two_instances as harness  # noqa: E402  (process management and HTTP helpers of the two-instance test)
import websockets  # noqa: E402


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def measure(a, b, key, requests):
    status, model = harness.call(a, "POST", "/api/models/", {"ticker": "GOOG", "exchange": "NASDAQ", "model_type": "drift",
                                                             "features": [], "val_size": 0.2, "hyper_parameters": {}}, key)
    harness.call(a, "POST", "/api/train", {"model_id": model["id"]}, key)
    await asyncio.sleep(3)
    local, remote, http = [], [], []
    async with websockets.connect(f"ws://127.0.0.1:{a}/ws/predictions") as on_a, \
            websockets.connect(f"ws://127.0.0.1:{b}/ws/predictions") as on_b:
        await on_a.recv()
        await on_b.recv()
        # Warm up until B sees A's events (consumer groups joined).
        for _ in range(60):
            harness.call(a, "POST", "/api/predict/", {"ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-03-04",
                                                      "model_id": model["id"]}, key)
            if await harness.next_event(on_b, lambda e: e.get("type") == "prediction", 2):
                break
        await harness.next_event(on_a, lambda e: False, 0.5)  # drain
        await harness.next_event(on_b, lambda e: False, 0.5)
        loop = asyncio.get_running_loop()
        for i in range(requests):
            start = time.perf_counter()
            status, body = await loop.run_in_executor(None, lambda: harness.call(
                a, "POST", "/api/predict/", {"ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-03-04", "model_id": model["id"]}, key))
            answered = time.perf_counter()
            wanted = body.get("id")
            got_a = await harness.next_event(on_a, lambda e: e.get("prediction_id") == wanted, 5)
            at_a = time.perf_counter()
            got_b = await harness.next_event(on_b, lambda e: e.get("prediction_id") == wanted, 5)
            at_b = time.perf_counter()
            if got_a and got_b:
                http.append((answered - start) * 1000)
                local.append((at_a - start) * 1000)
                remote.append((at_b - start) * 1000)
    return http, local, remote


def main():
    binary, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    requests = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 200
    harness.BINARY = binary
    scratch = tempfile.mkdtemp(prefix="stockcast-kafka-bench-")
    try:
        bootstrap_file = os.path.join(scratch, "bootstrap")
        harness.start(["kafka-mock", "--bootstrap-file", bootstrap_file], os.path.join(scratch, "mock.log"))
        harness.wait_until(lambda: os.path.exists(bootstrap_file), 30, "the mock cluster")
        bootstrap = open(bootstrap_file).read().strip()
        ports = {}
        for name in ("a", "b"):
            ports[name] = harness.free_port()
            harness.start(["serve", "--data-dir", os.path.join(scratch, name), "--port", str(ports[name])], os.path.join(scratch, f"{name}.log"),
                          {"STOCKCAST_KAFKA_BOOTSTRAP_SERVERS": bootstrap, "STOCKCAST_INSTANCE_ID": f"node-{name}",
                           "STOCKCAST_ETL_SCHEDULE_ENABLED": "false", "STOCKCAST_LOG_LEVEL": "warning"})
        for name, port in ports.items():
            harness.wait_until(lambda: harness.ready(port), 120, f"instance {name}")
            harness.wait_until(lambda: harness.datasets_loaded(port), 180, f"instance {name} sample data")
        key = open(os.path.join(scratch, "a", "admin.key")).read().strip()
        http, local, remote = asyncio.run(measure(ports["a"], ports["b"], key, requests))
        result = {"requests": requests, "measured": len(remote), "binary": binary}
        for name, values in (("http_response_ms", http), ("same_instance_ws_ms", local), ("other_instance_ws_via_kafka_ms", remote)):
            result[name] = {"p50": percentile(values, 0.5), "p95": percentile(values, 0.95), "p99": percentile(values, 0.99),
                            "mean": statistics.fmean(values), "max": max(values)}
        json.dump(result, open(out, "w"), indent=2)
        print(json.dumps(result, indent=2))
    finally:
        import signal
        for process in harness.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in harness.processes:
            try:
                process.wait(timeout=30)
            except Exception:
                process.kill()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A fast reproduction loop for the PostgreSQL-outage faults of the fault stage (phase 5): one private PostgreSQL 15
cluster, one `stockcast serve` on it with the sample data; then, N times: 4 threads hammer one endpoint, PostgreSQL is
stopped (`pg_ctl -m fast`) for 2 s and started again. After each round it reports answers other than 200/503
(e.g. 500 `internal_error` for SQLSTATE 57P01), requests without an answer within 10 s (hangs), and whether the server
process is still alive (PostgresNIO traps). At the end the server gets SIGTERM and must exit within 10 s.

Usage: pg_outage_loop.py BINARY [--rounds N] [--endpoint predict|datasets|prices|runs] [--keep] [--trace]
Exit status 0 when every round was clean. Needs root (runuser -u postgres). Standard library only."""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402
from faultlib import Server, http  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--endpoint", default="predict", choices=["predict", "datasets", "prices", "runs"])
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--trace", action="store_true", help="STOCKCAST_LOG_LEVEL=trace (PostgresNIO's protocol trace)")
    args = parser.parse_args()
    faultlib.install_cleanup()
    scratch = tempfile.mkdtemp(prefix="stockcast-pg-loop-")
    print(f"scratch: {scratch}")
    problems = []
    cluster = faultlib.PgCluster(faultlib.free_port())
    try:
        cluster.init()
        cluster.start()
        data_dir = os.path.join(scratch, "data")
        os.makedirs(data_dir)
        env = {"STOCKCAST_POSTGRES_URL": cluster.url}
        if args.trace:
            env["STOCKCAST_LOG_LEVEL"] = "trace"
        server = Server(os.path.abspath(args.binary), ROOT, scratch, "serve", data_dir, env)
        server.start()
        faultlib.wait_until(lambda: len(server.get("/api/datasets", timeout=5).body or []) >= 2, 120, "sample data")
        model_id = server.call("POST", "/api/models/", {"ticker": "GOOG", "exchange": "NASDAQ", "model_type": "drift",
                                                        "features": [], "val_size": 0.2, "hyper_parameters": {}}).body["id"]
        task_id = server.call("POST", "/api/train", {"model_id": model_id}).body["task_id"]
        faultlib.wait_until(lambda: server.get(f"/api/tasks/{task_id}").body["status"] == "completed", 120, "drift training")

        def one():
            if args.endpoint == "predict":
                return server.call("POST", "/api/predict/", {"ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-03-04",
                                                             "model_id": model_id}, timeout=10)
            path = {"datasets": "/api/datasets", "prices": "/api/datasets/GOOG/prices?limit=5000",
                    "runs": "/api/etl/runs?limit=5"}[args.endpoint]
            return server.get(path, timeout=10)

        for round_number in range(1, args.rounds + 1):
            stop = threading.Event()
            answers = []

            def loop():
                while not stop.is_set():
                    started = time.monotonic()
                    try:
                        answer = one()
                        answers.append((answer.status, (answer.body or {}).get("code") if isinstance(answer.body, dict) else None,
                                        time.monotonic() - started))
                    except Exception as error:  # a hang shows up as a client timeout
                        answers.append((type(error).__name__, None, time.monotonic() - started))
            threads = [threading.Thread(target=loop, daemon=True) for _ in range(4)]
            for thread in threads:
                thread.start()
            time.sleep(1.0 + (round_number % 5) * 0.07)
            cluster.stop()
            time.sleep(2)
            cluster.start()
            time.sleep(2)
            stop.set()
            for thread in threads:
                thread.join(15)
            bad = [a for a in answers if a[0] not in (200, 503)]
            slowest = max((a[2] for a in answers), default=0)
            alive = server.alive()
            print(f"round {round_number}: {len(answers)} answers, slowest {slowest:.2f} s, other than 200/503: {bad[:5]}, "
                  f"server {'alive' if alive else 'DEAD (exit %s)' % server.process.returncode}", flush=True)
            if bad or not alive:
                problems.append(f"round {round_number}: {bad[:5]}{'' if alive else ', server died'}")
            if not alive or any(a[0] == "TimeoutError" for a in bad):
                break
        if server.alive():
            seconds, status = server.terminate(within=10)
            print(f"SIGTERM: {'exit after %.2f s (status %s)' % (seconds, status) if seconds is not None else 'still running after 10 s (killed)'}")
            if seconds is None:
                problems.append("the server did not exit within 10 s of SIGTERM")
    finally:
        faultlib.cleanup()
        cluster.remove()
        if args.keep or problems:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print("\n".join(["problems:"] + problems) if problems else "every round clean")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

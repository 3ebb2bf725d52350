#!/usr/bin/env python3
"""Scale-out stage (issue 10): three `stockcast serve` instances on one private PostgreSQL 15, librdkafka's mock Kafka
cluster (`stockcast kafka-mock`) and moto_server with SigV4 checking (model artifacts), with Debian's nginx in front of
the two `api,worker` instances (the third is `worker` only), configured from deploy/nginx/stockcast.conf.

Checks: 30 trainings submitted round-robin through nginx each run exactly once and complete; kill -9 of the instance
running a training: another instance takes it over when its lease runs out and completes it, nothing stays running,
the killed instance restarted disturbs nobody; a model trained on one instance is served by the others (artifact from
the bucket, hash verified) and a promote through one changes what the others serve within 1 s; a WebSocket client
connected through nginx receives predictions made on every api instance; a rolling restart (SIGTERM each instance in
turn, then start it again) while a client loops reads and predictions through nginx: no failed read, no 5xx; S3 stops
answering during a training: the task fails within the request timeout, the model points at no artifact, and the
training retried once S3 is back completes and is served.

Usage: scale_out.py BINARY. Exit status 0 when every check passed. Needs root (PostgreSQL), nginx, moto_server,
`websockets`."""
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Faults"))
from faultlib import PgCluster, Server, check, cleanup, free_port, http, info, install_cleanup, wait_until  # noqa: E402
from scaleoutlib import moto_pid, start_kafka_mock, start_moto, start_nginx, stop_moto  # noqa: E402

BINARY = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LEASE_SECONDS = 4
NGINX_FAIL_TIMEOUT = 10
S3_TIMEOUT_SECONDS = 5
DRIFT = {"ticker": "GOOG", "exchange": "NASDAQ", "model_type": "drift", "features": [], "val_size": 0.2,
         "hyper_parameters": {"max_horizon": 5}}
SLOW = {"ticker": "GOOG", "exchange": "NASDAQ", "model_type": "xgboost", "features": [], "val_size": 0.2,
        "hyper_parameters": {"max_horizon": 5, "n_estimators": 600, "max_depth": 4, "refit_every": 200}}
timings = {}


def abort(message):
    """A phase that cannot go on."""
    raise RuntimeError(message)


def measure(name, seconds):
    timings[name] = seconds
    info(f"{name}: {seconds:.2f} s")


def submit_training(port, key, body):
    model = http(port, "POST", "/api/models/", body, key=key)
    if model.status != 201:
        abort(f"registering a model through port {port}: {model.status} {model.body}")
    task = http(port, "POST", "/api/train", {"model_id": model.body["id"]}, key=key)
    if task.status != 202:
        abort(f"submitting a training through port {port}: {task.status} {task.body}")
    return model.body["id"], task.body["task_id"]


def task(port, task_id):
    return http(port, "GET", f"/api/tasks/{task_id}").body


def wait_task(port, task_id, seconds=240):
    wait_until(lambda: task(port, task_id)["status"] in ("completed", "failed", "cancelled"), seconds, f"task {task_id}", interval=0.2)
    return task(port, task_id)


def phase_exactly_once(proxy, key):
    ids = []
    started = time.monotonic()
    for _ in range(30):  # through nginx, which spreads them round-robin over the api instances
        ids.append(submit_training(proxy, key, DRIFT)[1])
    results = [wait_task(proxy, task_id) for task_id in ids]
    measure("30 trainings, submission to last completion", time.monotonic() - started)
    check(all(r["status"] == "completed" for r in results), f"all 30 trainings completed ({[r['status'] for r in results if r['status'] != 'completed']})")
    attempts = [r.get("attempt") for r in results]
    check(all(a == 1 for a in attempts), f"each of the 30 ran exactly once (attempts {sorted(set(map(str, attempts)))})")
    owners = {}
    for r in results:
        owners[r.get("owner")] = owners.get(r.get("owner"), 0) + 1
    info(f"trainings per instance: {owners}")
    check(len(owners) >= 2, f"the work was shared by several instances ({owners})")


def phase_kill(proxy, servers, key):
    model_id, task_id = submit_training(proxy, key, SLOW)
    wait_until(lambda: task(proxy, task_id)["status"] == "running", 60, "the slow training to start", interval=0.05)
    owner_name = task(proxy, task_id).get("owner")
    victim = next((s for s in servers if s.env["STOCKCAST_INSTANCE_ID"] == owner_name), None)
    if victim is None:
        abort(f"no instance named {owner_name} owns the task")
    killed_at = victim.kill9()
    info(f"killed {victim.name} (owner of {task_id})")
    wait_until(lambda: (task(proxy, task_id).get("attempt") or 0) >= 2, LEASE_SECONDS + 30, "another instance to take the task over", interval=0.1)
    measure("kill -9 until another instance took the task over", time.monotonic() - killed_at)
    record = wait_task(proxy, task_id)
    check(record["status"] == "completed" and record.get("owner") != owner_name,
          f"the killed instance's training was completed by another ({record['status']}, owner {record.get('owner')}, attempt {record.get('attempt')})")
    victim.start()
    running = http(proxy, "GET", "/api/tasks?state=running&limit=50").body
    check(not running.get("tasks"), f"no task stays running ({len(running.get('tasks', []))})")
    return model_id


def phase_serving(proxy, servers, api_servers, key, trained):
    model = http(proxy, "GET", f"/api/models/{trained}").body
    check(model.get("artifact_uri", "").startswith("s3://"), f"the artifact is in the bucket ({model.get('artifact_uri')})")
    for server in api_servers:
        answer = http(server.port, "POST", "/api/predict/", {"ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-02-28",
                                                            "model_id": trained}, key=key)
        check(answer.status == 200, f"{server.name} serves model {trained} trained elsewhere ({answer.status} {answer.body if answer.status != 200 else ''})")
    other, _ = submit_training(proxy, key, DRIFT)
    wait_until(lambda: http(proxy, "GET", f"/api/models/{other}").body.get("status") == "trained", 120, "a second model")
    for champion in (trained, other):
        promoted = http(api_servers[0].port, "POST", f"/api/models/{champion}/promote?force=true", key=key)
        check(promoted.status == 200, f"promote {champion} through {api_servers[0].name} ({promoted.status})")
        moved = time.monotonic()

        def serves_it():
            answer = http(api_servers[1].port, "POST", "/api/predict/", {"ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-02-28"}, key=key)
            return answer.status == 200 and answer.body.get("model_metadata_id") == champion
        wait_until(serves_it, 10, f"{api_servers[1].name} to serve champion {champion}", interval=0.02)
        seconds = time.monotonic() - moved
        check(seconds < 1.0, f"{api_servers[1].name} serves the new champion {champion} within 1 s ({seconds:.3f} s)")


async def websocket_through_nginx(proxy, api_servers, key):
    async with websockets.connect(f"ws://127.0.0.1:{proxy}/ws/predictions", origin=f"http://127.0.0.1:{proxy}") as socket_:
        await socket_.recv()  # hello
        seen = set()
        deadline = time.monotonic() + 60
        while seen != {s.env["STOCKCAST_INSTANCE_ID"] for s in api_servers} and time.monotonic() < deadline:
            for server in api_servers:
                http(server.port, "POST", "/api/predict/", {"ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-02-27"}, key=key)
            end = time.monotonic() + 2
            while time.monotonic() < end:
                try:
                    frame = json.loads(await asyncio.wait_for(socket_.recv(), end - time.monotonic()))
                except asyncio.TimeoutError:
                    break
                if frame.get("type") == "prediction":
                    seen.add(frame.get("instance"))
        check(seen >= {s.env["STOCKCAST_INSTANCE_ID"] for s in api_servers},
              f"a WebSocket client through nginx receives predictions made on every api instance ({sorted(seen)})")


def phase_rolling_restart(proxy, servers, key):
    stop = threading.Event()
    tally = {"reads": 0, "read_failures": [], "predictions": 0, "refused": 0, "server_errors": []}

    def client():
        while not stop.is_set():
            try:
                answer = http(proxy, "GET", "/api/datasets", timeout=10)
                tally["reads"] += 1
                if answer.status != 200:
                    tally["read_failures"].append(answer.status)
            except OSError as error:
                tally["read_failures"].append(str(error))
            try:
                answer = http(proxy, "POST", "/api/predict/", {"ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-02-26"}, key=key, timeout=10)
                tally["predictions"] += 1
                if answer.status >= 500:
                    tally["server_errors"].append(answer.status)
            except OSError:
                tally["refused"] += 1
    # The kill -9 phase made nginx take an instance out of the rotation; start once every instance is back in it.
    time.sleep(NGINX_FAIL_TIMEOUT + 1)
    thread = threading.Thread(target=client)
    thread.start()
    started = time.monotonic()
    for server in servers:
        seconds, status = server.terminate(within=60)
        check(seconds is not None and status == 0, f"{server.name} stops on SIGTERM under load ({seconds and round(seconds, 2)} s, status {status})")
        server.start()
        # nginx's passive health check keeps an instance it could not reach out of the rotation for fail_timeout
        # (10 s in deploy/nginx/stockcast.conf): the next instance may stop only once this one is back in it.
        time.sleep(NGINX_FAIL_TIMEOUT + 1)
    stop.set()
    thread.join(timeout=30)
    measure("rolling restart of 3 instances", time.monotonic() - started)
    info(f"during the rolling restart: {tally['reads']} reads, {tally['predictions']} predictions")
    check(tally["reads"] > 0 and not tally["read_failures"], f"no read through nginx failed ({tally['read_failures'][:5]})")
    check(tally["predictions"] > 0 and not tally["server_errors"], f"no prediction got a 5xx ({tally['server_errors'][:5]})")


def phase_s3_outage(proxy, key, moto):
    """S3 stops answering while a training runs (moto paused: requests hang, as behind a dead load balancer): the task
    fails within the request timeout naming the store, the model points at no artifact; S3 back, a retry completes and
    the new artifact is served."""
    model_id, task_id = submit_training(proxy, key, SLOW)
    wait_until(lambda: task(proxy, task_id)["status"] == "running", 60, "the training to start", interval=0.05)
    os.kill(moto, signal.SIGSTOP)
    try:
        record = wait_task(proxy, task_id, S3_TIMEOUT_SECONDS + 120)
        error = (record.get("error") or "").lower()
        check(record["status"] == "failed" and ("s3" in error or "artifact" in error),
              f"a training whose upload cannot reach S3 fails, naming the store ({record['status']}: {record.get('error')})")
        model = http(proxy, "GET", f"/api/models/{model_id}").body
        check(model.get("status") == "failed" and not model.get("artifact_sha256"),
              f"the model points at no artifact ({model.get('status')}, {model.get('artifact_sha256')})")
    finally:
        os.kill(moto, signal.SIGCONT)
    retried = http(proxy, "POST", "/api/train", {"model_id": model_id}, key=key)
    check(retried.status == 202, f"the training is retried once S3 is back ({retried.status})")
    record = wait_task(proxy, retried.body["task_id"])
    check(record["status"] == "completed", f"the retried training completes ({record['status']}: {record.get('error')})")
    answer = http(proxy, "POST", "/api/predict/", {"ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-02-28", "model_id": model_id},
                  key=key)
    check(answer.status == 200, f"its artifact is served from S3 ({answer.status})")


def main():
    install_cleanup()
    scratch = tempfile.mkdtemp(prefix="stockcast-scale-out-")
    info(f"scratch: {scratch}")
    cluster = PgCluster(free_port())
    moto_env = None
    try:
        cluster.init()
        cluster.start()
        moto_env, s3 = start_moto(scratch)
        bootstrap = start_kafka_mock(BINARY, scratch)
        proxy = free_port()
        # Browsers reach the system at nginx's address: that is the origin the instances' WebSocket check accepts.
        common = {"STOCKCAST_HTTP_PUBLIC_ORIGINS": f"http://127.0.0.1:{proxy}", "STOCKCAST_STORAGE_POSTGRES_URL": cluster.url, "STOCKCAST_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                  "STOCKCAST_KAFKA_FETCH_WAIT_MAX_MS": "10", "STOCKCAST_TRAINING_LEASE_SECONDS": str(LEASE_SECONDS),
                  "STOCKCAST_HTTP_MAX_CONNECTIONS_PER_ADDRESS": "4096", "STOCKCAST_ARTIFACTS_S3_REQUEST_TIMEOUT_SECONDS": str(S3_TIMEOUT_SECONDS),
                  **s3}
        roles = [("a", "api,worker,scheduler"), ("b", "api,worker"), ("c", "worker")]
        servers = []
        for name, role in roles:
            env = {**common, "STOCKCAST_INSTANCE_ID": f"node-{name}", "STOCKCAST_INSTANCE_ROLES": role,
                   "STOCKCAST_ETL_SAMPLE_DATA": "true" if name == "a" else "false"}
            server = Server(BINARY, ROOT, scratch, f"node-{name}", os.path.join(scratch, f"data-{name}"), env)
            server.fixed_port = free_port()
            servers.append(server)
        measure("node-a start (migrations, admin key)", servers[0].start())
        key = servers[0].key
        for server in servers[1:]:
            server.start()
            server._key = key
        api_servers = servers[:2]
        start_nginx(scratch, proxy, [s.port for s in api_servers])
        wait_until(lambda: {d["ticker"] for d in http(proxy, "GET", "/api/datasets").body} >= {"GOOG"}, 180, "the sample data")
        check(http(servers[2].port, "GET", "/api/datasets").status == 404, "the worker serves no API")

        phase_exactly_once(proxy, key)
        trained = phase_kill(proxy, servers, key)
        phase_serving(proxy, servers, api_servers, key, trained)
        asyncio.run(websocket_through_nginx(proxy, api_servers, key))
        phase_rolling_restart(proxy, servers, key)
        phase_s3_outage(proxy, key, moto_pid(moto_env))
    except Exception as error:  # a phase that cannot go on is a failure, with the logs
        check(False, f"scale-out stage stopped: {error}")
        for server in locals().get("servers", []):
            print(server.tail(15))
    finally:
        cleanup()
        if moto_env:
            stop_moto(moto_env)
        log_dir = os.environ.get("STOCKCAST_TEST_LOG_DIR")
        if log_dir:
            for folder in (scratch, os.path.join(scratch, "nginx")):
                for name in os.listdir(folder) if os.path.isdir(folder) else []:
                    if name.endswith(".log"):
                        shutil.copy(os.path.join(folder, name), os.path.join(log_dir, f"scale-out-{os.path.basename(folder)}-{name}"))
        shutil.rmtree(scratch, ignore_errors=True)
    print("timings:")
    for name, seconds in timings.items():
        print(f"  {name}: {seconds:.2f} s")
    from faultlib import failures
    if failures:
        print(f"scale-out stage FAILED: {len(failures)} check(s)")
        sys.exit(1)
    print("scale-out stage passed")


if __name__ == "__main__":
    main()

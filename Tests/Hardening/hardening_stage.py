#!/usr/bin/env python3
"""The hardening stage of `make test`, against a live `stockcast serve`:

1. schemathesis over /openapi.json with every check, a fixed seed and a time bound: 0 server errors and 0
   conformance failures (the only exceptions are listed, with their reasons, in Tests/Hardening/schemathesis.toml);
2. a connection flood: 20,000 idle connections attempted from 127.0.0.1 (two client processes, as one process may
   hold fewer descriptors); once the server has absorbed the burst and the flood is held, /health is asked from
   127.0.0.2 — every answer within 100 ms; the server stays up, its memory bounded, and serves normally once the flood
   is gone.

Usage: hardening_stage.py BINARY [--keep]. Needs schemathesis (Tests/requirements.txt). Exit status 0 when every check
passed. Server logs go to $STOCKCAST_TEST_LOG_DIR when set (the key grep of `make test` reads them)."""

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "Faults"))
from faultlib import check, failures, free_port, rss_kib  # noqa: E402  (the checks and ports of every Python stage)

BINARY = os.path.abspath(sys.argv[1])
KEEP = "--keep" in sys.argv
ROOT = os.path.dirname(os.path.dirname(HERE))
SEED = 20261202
processes = []


def get(port, path, source=None, timeout=10):
    """(status, seconds) of a GET from `source`, on a fresh connection."""
    started = time.monotonic()
    connection = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0) if source else None)
    try:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while b"\r\n" not in data:
            chunk = connection.recv(4096)
            if not chunk:
                break
            data += chunk
    finally:
        connection.close()
    status = int(data.split(b" ")[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, time.monotonic() - started


def start_server(scratch, port):
    data = os.path.join(scratch, "data")
    log_path = os.path.join(scratch, "server.log")
    env = {
        **os.environ, "SWIFT_BACKTRACE": "enable=no", "STOCKCAST_ETL_SCHEDULE_ENABLED": "false",
        # Auth throttling is tested by the Swift suite; here it would turn most of schemathesis' cases into 429s.
        "STOCKCAST_AUTH_MAX_FAILURES_PER_MINUTE": "100000",
    }
    log = open(log_path, "w")
    process = subprocess.Popen([BINARY, "serve", "--data-dir", data, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                               cwd=ROOT, env=env)
    processes.append(process)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/datasets", timeout=5) as response:
                if len(json.loads(response.read())) >= 2:
                    break
        except (OSError, urllib.error.URLError, ValueError):
            pass
        time.sleep(0.5)
    else:
        raise SystemExit("the server did not ingest its sample data in 120 s")
    return process, open(os.path.join(data, "admin.key")).read().strip(), log_path


def create_admin_key(port, key, name):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/keys", method="POST", data=json.dumps({"name": name, "role": "admin"}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["key"]


def schemathesis(port, key, scratch):
    """Two runs with every check (the defaults; exceptions in schemathesis.toml): first every operation but key
    rotation and revocation, then those two alone with a key of their own, since rotating or revoking the key a run
    authenticates with (which they may well pick) would turn the rest of that run into 401s."""
    started = time.monotonic()
    binary = shutil.which("schemathesis") or os.path.join(os.path.dirname(sys.executable), "schemathesis")
    key_paths = ["/api/keys/{id}/rotate", "/api/keys/{id}"]
    runs = [
        ("main", key, [arg for path in key_paths for arg in ("--exclude-path", path)], "240"),
        ("keys", create_admin_key(port, key, "schemathesis keys run"), [arg for path in key_paths for arg in ("--include-path", path)], "60"),
    ]
    for name, run_key, selection, max_time in runs:
        command = [
            binary, "--config-file", os.path.join(HERE, "schemathesis.toml"), "run", f"http://127.0.0.1:{port}/openapi.json",
            "--seed", str(SEED), "--max-examples", "30", "--max-time", max_time, "-H", f"Authorization: Bearer {run_key}",
            "--suppress-health-check", "all", "--no-color", *selection,
        ]
        report_path = os.path.join(scratch, f"schemathesis-{name}.txt")
        with open(report_path, "w") as report:
            result = subprocess.run(command, stdout=report, stderr=subprocess.STDOUT, cwd=scratch, timeout=600)
        text = open(report_path).read().replace(run_key, "[key]").replace(key, "[key]")
        open(report_path, "w").write(text)
        print(text[text.find("SUMMARY"):] if "SUMMARY" in text else text[-3000:], flush=True)
        check(result.returncode == 0, f"schemathesis ({name} run): 0 server errors and 0 conformance failures (exit {result.returncode})")
        check("Server error" not in text, f"schemathesis ({name} run): no 5xx")
    print(f"     schemathesis: {time.monotonic() - started:.0f} s", flush=True)


FLOOD_CLIENT = r"""
import resource, select, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
port, count = int(sys.argv[1]), int(sys.argv[2])
held, refused = [], 0
for _ in range(count):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect_ex(("127.0.0.1", port))
        held.append(s)
    except OSError:
        refused += 1
        s.close()
# Wait until every handshake finished (or failed): SYNs beyond the listen backlog are retried by the kernel for a while.
poller, pending = select.poll(), {s.fileno() for s in held}
for s in held:
    poller.register(s, select.POLLOUT)
deadline = time.monotonic() + 60
while pending and time.monotonic() < deadline:
    for fd, _ in poller.poll(1000):
        poller.unregister(fd)
        pending.discard(fd)
print(f"{len(held)} {refused} {len(pending)}", flush=True)
sys.stdin.readline()
"""


def refusals(port, source=None):
    """http_connections_refused_total summed over reasons, read from `source` (None on failure)."""
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0) if source else None)
    except OSError:
        return None
    try:
        connection.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    except OSError:
        return None
    finally:
        connection.close()
    lines = data.decode(errors="replace").splitlines()
    return sum(float(line.split()[-1]) for line in lines if line.startswith("http_connections_refused_total"))


def absorb_burst(port, limit=60):
    """Seconds until the refusal counter (read from 127.0.0.2) is the same twice, half a second apart."""
    started = time.monotonic()
    previous = None
    while time.monotonic() - started < limit:
        current = refusals(port, source="127.0.0.2")
        if current is not None and current == previous:
            return time.monotonic() - started
        previous = current
        time.sleep(0.5)
    check(False, f"flood: the server absorbs the burst within {limit} s")
    return time.monotonic() - started


def connection_flood(port, pid):
    started = time.monotonic()
    rss_before = rss_kib(pid)
    clients = [subprocess.Popen([sys.executable, "-c", FLOOD_CLIENT, str(port), "10000"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True) for _ in range(2)]
    opened = [client.stdout.readline().split() for client in clients]
    attempted = sum(int(held) + int(refused) for held, refused, _ in opened)
    unfinished = sum(int(pending) for _, _, pending in opened)
    check(attempted == 20000, f"flood: 20,000 connections attempted from 127.0.0.1 ({attempted})")
    check(unfinished == 0, f"flood: every handshake finished or failed within 60 s ({unfinished} still pending)")
    # The check is about a flood that is *held* (the issue: idle connections took every descriptor), not about how fast
    # a debug build accepts and refuses a burst of 20,000: measure once the refusals stop moving.
    absorbed = absorb_burst(port)
    print(f"     the burst was absorbed (refusal counter steady) after {absorbed:.1f} s", flush=True)
    timings = []
    for _ in range(20):
        status, seconds = get(port, "/health", source="127.0.0.2")
        timings.append(seconds)
        if status != 200:
            check(False, f"flood: /health from 127.0.0.2 answers 200 (got {status})")
    worst = max(timings)
    print(f"     /health from 127.0.0.2 during the flood: median {sorted(timings)[10] * 1000:.1f} ms, worst {worst * 1000:.1f} ms", flush=True)
    check(worst < 0.1, f"flood: every /health from 127.0.0.2 within 100 ms (worst {worst * 1000:.1f} ms)")
    rss_during = rss_kib(pid)
    for client in clients:
        client.stdin.write("\n")
        client.stdin.flush()
        client.wait(timeout=30)
    time.sleep(1)
    status, _ = get(port, "/health")
    check(status == 200, "flood: the server serves 127.0.0.1 again once the flood is gone")
    refused = refusals(port) or 0
    check(refused > 0, f"flood: refusals counted in http_connections_refused_total ({refused:.0f})")
    print(f"     RSS {rss_before // 1024} MiB before, {rss_during // 1024} MiB during, {rss_kib(pid) // 1024} MiB after; "
          f"{time.monotonic() - started:.0f} s", flush=True)
    check(rss_during < rss_before + 200 * 1024, "flood: memory stays bounded (< +200 MiB)")


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    scratch = tempfile.mkdtemp(prefix="stockcast-hardening-")
    port = free_port()
    try:
        process, key, log_path = start_server(scratch, port)
        schemathesis(port, key, scratch)
        connection_flood(port, process.pid)
        check(process.poll() is None, "the server is still running")
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        log_dir = os.environ.get("STOCKCAST_TEST_LOG_DIR")
        if log_dir:
            os.makedirs(log_dir, exist_ok=True)
            for name in ("server.log", "schemathesis-main.txt", "schemathesis-keys.txt"):
                if os.path.exists(os.path.join(scratch, name)):
                    shutil.copy(os.path.join(scratch, name), os.path.join(log_dir, f"hardening-{name}"))
        if failures or KEEP:
            print(f"hardening: logs and data kept in {scratch}", flush=True)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"hardening: {len(failures)} failure(s)" if failures else "hardening: all checks passed", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

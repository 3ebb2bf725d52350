"""Helpers of the fault stage (fault_stage.py): checks, bounded waits, HTTP calls, `stockcast serve` processes that can
be killed and restarted on their data directory, and a private PostgreSQL 15 cluster. Standard library only.

Every process started here is remembered and stopped by `cleanup()` (called from a finally block, atexit and the
SIGINT/SIGTERM handlers); every wait is bounded. Nothing here prints an API key."""

import atexit
import datetime
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

failures = []
_processes = []          # every Popen started, in order
_clusters = []           # every PgCluster started and not yet removed
_cleanup_lock = threading.Lock()


# ---------------------------------------------------------------------------------------------------------- checks

def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)
    return bool(condition)


def fail(message):
    return check(False, message)


def info(message):
    print("     " + message, flush=True)


def wait_until(predicate, seconds, what, interval=0.1):
    """Calls `predicate` until it returns a truthy value (returned) or `seconds` pass (TimeoutError). Transport errors
    and malformed answers count as "not yet"."""
    deadline = time.monotonic() + seconds
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, urllib.error.URLError, ValueError, KeyError, TypeError) as error:
            last_error = error
        if time.monotonic() >= deadline:
            suffix = f" (last error: {type(last_error).__name__}: {last_error})" if last_error else ""
            raise TimeoutError(f"timed out after {seconds} s waiting for {what}{suffix}")
        time.sleep(interval)


def rss_kib(pid):
    """Resident memory of process `pid` in KiB (VmRSS), 0 when it has none."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------------------------ HTTP

class Answer:
    """One HTTP answer: status, parsed JSON body (or None), headers, seconds taken."""

    def __init__(self, status, body, headers, seconds, raw=b""):
        self.status, self.body, self.headers, self.seconds, self.raw = status, body, headers, seconds, raw

    def __repr__(self):
        text = self.raw[:300].decode("utf-8", "replace")
        return f"{self.status} {text}"


def http(port, method, path, body=None, key=None, timeout=30, content_type="application/json"):
    """One request to 127.0.0.1:port. `body`: dict/list (JSON) or bytes (sent as `content_type`). Never raises for an
    HTTP status; transport errors (refused, reset, timeout) raise OSError/URLError."""
    headers = {}
    data = None
    if body is not None:
        data = body if isinstance(body, (bytes, bytearray)) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=data, headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            status, response_headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        raw = error.read()
        status, response_headers = error.code, error.headers
    seconds = time.monotonic() - started
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return Answer(status, parsed, response_headers, seconds, raw)


# --------------------------------------------------------------------------------------------------------- servers

class Server:
    """`stockcast serve` on one data directory; each start gets a fresh free port and its own log file."""

    def __init__(self, binary, cwd, scratch, name, data_dir, env=None):
        self.binary, self.cwd, self.scratch, self.name, self.data_dir = binary, cwd, scratch, name, data_dir
        self.env = dict(env or {})
        self.process = None
        self.port = None
        self.starts = 0
        self.logs = []
        self._key = None
        # A port kept across restarts (behind nginx); `None`: a fresh free port at each start.
        self.fixed_port = None

    @property
    def key(self):
        if self._key is None:
            with open(os.path.join(self.data_dir, "admin.key")) as handle:
                self._key = handle.read().strip()
        return self._key

    def start(self, ready_within=90):
        assert self.process is None or self.process.poll() is not None, "server already running"
        self.starts += 1
        self.port = self.fixed_port or free_port()
        log_path = os.path.join(self.scratch, f"{self.name}-{self.starts}.log")
        self.logs.append(log_path)
        log = open(log_path, "w")
        # Configuration comes only from here: STOCKCAST_* variables of the caller (a PostgreSQL URL, an API key,
        # auth.read_requires_key) would change what the stage tests.
        inherited = {name: value for name, value in os.environ.items() if not name.startswith("STOCKCAST_")}
        env = {**inherited, "SWIFT_BACKTRACE": "enable=no", "STOCKCAST_ETL_SCHEDULE_ENABLED": "false", **self.env}
        self.process = subprocess.Popen(
            [self.binary, "serve", "--data-dir", self.data_dir, "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.cwd, env=env)
        log.close()
        _processes.append(self.process)
        started = time.monotonic()

        def ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with status {self.process.returncode} while starting (log {log_path})")
            return http(self.port, "GET", "/ready", timeout=5).status == 200

        wait_until(ready, ready_within, f"{self.name} to be ready", interval=0.05)
        return time.monotonic() - started

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill9(self):
        """SIGKILL; returns the monotonic time the signal was sent, once the process is gone."""
        self.process.send_signal(signal.SIGKILL)
        sent = time.monotonic()
        self.process.wait(timeout=10)
        return sent

    def terminate(self, within=30):
        """SIGTERM; returns (seconds until exit, exit status), or (None, None) when it did not exit within `within`
        seconds (then it is killed)."""
        if not self.alive():
            return 0.0, self.process.returncode if self.process else None
        sent = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=within)
            return time.monotonic() - sent, status
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            return None, None

    def call(self, method, path, body=None, auth=True, **kwargs):
        return http(self.port, method, path, body, key=self.key if auth else None, **kwargs)

    def get(self, path, **kwargs):
        return http(self.port, "GET", path, **kwargs)

    def tail(self, lines=30):
        out = []
        for path in self.logs[-2:]:
            try:
                with open(path, errors="replace") as handle:
                    out.append(f"--- last lines of {path}\n" + "".join(handle.readlines()[-lines:]))
            except OSError:
                pass
        return "\n".join(out)


# ------------------------------------------------------------------------------------------------------ PostgreSQL

PG_BIN = "/usr/lib/postgresql/15/bin"


class PgCluster:
    """A private PostgreSQL 15 cluster, created, started and stopped exactly as the stage's brief says (as root)."""

    def __init__(self, port):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="stockcast-faults-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "log")
        self.running = False
        _clusters.append(self)

    def _pg(self, *args, timeout=60):
        return subprocess.run(["runuser", "-u", "postgres", "--", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout, text=True)

    def init(self):
        subprocess.run(["chown", "postgres", self.dir], check=True, timeout=10)
        done = self._pg(f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}): {done.stdout[-2000:]}")

    def start(self):
        done = self._pg(f"{PG_BIN}/pg_ctl", "-D", self.data, "-o",
                        f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "-l", self.log, "-w", "start")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed ({done.returncode}): {done.stdout[-2000:]}")
        self.running = True

    def stop(self):
        done = self._pg(f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed ({done.returncode}): {done.stdout[-2000:]}")
        self.running = False

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def remove(self):
        if self.running or os.path.exists(os.path.join(self.data, "postmaster.pid")):
            try:
                self.stop()
            except Exception as error:  # cleanup must go on
                print(f"     (pg_ctl stop during cleanup: {error})", flush=True)
                self._pg(f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
        if self in _clusters:
            _clusters.remove(self)


# --------------------------------------------------------------------------------------------------------- cleanup

def cleanup():
    """Stops every process still running (SIGTERM, then SIGKILL after 10 s) and every PostgreSQL cluster."""
    with _cleanup_lock:
        for process in _processes:
            if process.poll() is None:
                try:
                    process.send_signal(signal.SIGTERM)
                except OSError:
                    pass
        for process in _processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                print(f"     {' '.join(map(str, process.args[1:3]))} (pid {process.pid}) ignored SIGTERM for 10 s; killed", flush=True)
                process.kill()
                process.wait(timeout=10)
        for cluster in list(_clusters):
            cluster.remove()


def install_cleanup():
    atexit.register(cleanup)

    def on_signal(number, frame):
        raise KeyboardInterrupt(f"signal {number}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


# ------------------------------------------------------------------------------------------------------------ data

def big_csv(rows=20000, seed=7, end=None):
    """`rows` weekday rows of a plausible random walk (OHLCV, header Date,Open,High,Low,Close,Volume) ending on the last
    weekday before `end` (default today), so no row lies in the future; rows on exchange holidays are rejected by the
    server's validation (expected). 20,000 weekdays reach back to about 1950."""
    rnd = random.Random(seed)
    day = (end or datetime.date.today()) - datetime.timedelta(days=1)
    days = []
    while len(days) < rows:
        if day.weekday() < 5:
            days.append(day)
        day -= datetime.timedelta(days=1)
    days.reverse()
    lines = ["Date,Open,High,Low,Close,Volume"]
    close = 20.0
    for day in days:
        opening = close * math.exp(rnd.gauss(0, 0.004))
        closing = close * math.exp(rnd.gauss(0.0003, 0.012))
        high = max(opening, closing) * math.exp(abs(rnd.gauss(0, 0.005)))
        low = min(opening, closing) * math.exp(-abs(rnd.gauss(0, 0.005)))
        volume = int(rnd.lognormvariate(14, 0.4))
        lines.append(f"{day.isoformat()},{opening:.4f},{high:.4f},{low:.4f},{closing:.4f},{volume}")
        close = closing
    return ("\n".join(lines) + "\n").encode()

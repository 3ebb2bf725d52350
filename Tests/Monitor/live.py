"""Processes and clients for the live part of the monitor test: a `stockcast serve`, a Prometheus, HTTP and
WebSocket clients. Every wait is a bounded poll of a condition; nothing asserts on elapsed time."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, Callable


class CheckFailed(Exception):
    """A failure that ends the run with a message (not a traceback)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], what: str, timeout: float, interval: float = 0.2) -> Any:
    """Polls `condition` until it returns a truthy value (returned) or `timeout` seconds pass (CheckFailed).
    Exceptions from the condition count as "not yet" (the last one is reported), except CheckFailed, which ends
    the wait at once (e.g. the process being waited for has exited)."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except CheckFailed:
            raise
        except Exception as error:  # noqa: BLE001 - reported below
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise CheckFailed(f"gave up after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


class ManagedProcess:
    """A child process in its own process group, with its output in a log file; `stop` ends it (SIGTERM, then
    SIGKILL after a grace period)."""

    def __init__(self, name: str, argv: list[str], cwd: Path, log_path: Path, env: dict[str, str] | None = None):
        self.name = name
        self.argv = argv
        self.cwd = cwd
        self.log_path = log_path
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.log_path, "wb")
        try:
            self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        finally:
            log.close()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


# Loopback only: never through a proxy from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method: str, url: str, body: Any = None, key: str | None = None, timeout: float = 30.0) -> tuple[int, Any]:
    """One HTTP request; JSON bodies are encoded and decoded. Returns (status, body)."""
    data = None
    headers = {"Accept": "application/json"}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with _DIRECT.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


class WebSocketListener(threading.Thread):
    """Stays connected to one WebSocket channel and counts the frames it receives by `type`."""

    def __init__(self, url: str):
        super().__init__(daemon=True, name=f"ws {url}")
        self.url = url
        self.types: Counter[str] = Counter()
        self.connected = threading.Event()
        self.error: Exception | None = None
        self._stop_requested = threading.Event()

    def run(self) -> None:
        from websockets.sync.client import connect  # PyPI `websockets` (>= 12)

        try:
            with connect(self.url, open_timeout=20, close_timeout=5, max_size=2**22, proxy=None) as websocket:
                self.connected.set()
                while not self._stop_requested.is_set():
                    try:
                        frame = websocket.recv(timeout=0.5)
                    except TimeoutError:
                        continue
                    try:
                        self.types[json.loads(frame).get("type", "?")] += 1
                    except (ValueError, AttributeError):
                        self.types["(not JSON)"] += 1
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.error = error
            self.connected.set()

    def stop(self) -> None:
        self._stop_requested.set()
        self.join(timeout=10)


class PrometheusAPI:
    """The parts of Prometheus's HTTP API the test uses."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def _get(self, path: str, params: dict[str, Any] | list[tuple[str, str]] | None = None) -> dict:
        query = urllib.parse.urlencode(params or {}, doseq=True)
        status, body = http("GET", f"{self.base}{path}{'?' + query if query else ''}")
        if not isinstance(body, dict):
            raise CheckFailed(f"Prometheus {path}: HTTP {status}: {body!r}")
        return body

    def query(self, expr: str) -> dict:
        """`{"status": "success", "data": {...}}` or `{"status": "error", "error": "..."}`."""
        return self._get("/api/v1/query", {"query": expr})

    def series(self, match: str, lookback: float = 300) -> list[dict]:
        now = time.time()
        body = self._get("/api/v1/series", [("match[]", match), ("start", str(now - lookback)), ("end", str(now))])
        if body.get("status") != "success":
            raise CheckFailed(f"Prometheus /api/v1/series {match}: {body.get('error')}")
        return body["data"]

    def metadata(self) -> dict[str, list[dict]]:
        return self._get("/api/v1/metadata").get("data", {})

    def rules(self) -> list[dict]:
        return self._get("/api/v1/rules").get("data", {}).get("groups", [])

    def alerts(self) -> list[dict]:
        return self._get("/api/v1/alerts").get("data", {}).get("alerts", [])

    def targets(self) -> list[dict]:
        return self._get("/api/v1/targets").get("data", {}).get("activeTargets", [])

    def metric_names(self) -> set[str]:
        return set(self._get("/api/v1/label/__name__/values").get("data", []))


def environment_without(*prefixes: str) -> dict[str, str]:
    """The current environment minus variables starting with any prefix (so a developer's STOCKCAST_* settings do
    not leak into the server under test)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}

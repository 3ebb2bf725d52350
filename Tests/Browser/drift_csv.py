"""A CSV for the ticker DRIFT whose daily log returns are ordinary (normal, 1 % a day) for `calm` sessions and then
exactly +1 % a day for the last `drift` sessions: the server's return-drift detector (two-sample KS test of the last
60 returns against the earlier ones) must raise a `return_drift` alert after it is imported.

Session dates are real NYSE sessions taken from the server's own ^GSPC sample data, so no row is rejected as a
non-session."""

import json
import math
import random
import urllib.request


def nyse_sessions(base_url, count):
    """The last `count` session dates of ^GSPC stored on the server (ascending)."""
    url = f"{base_url}/api/datasets/%5EGSPC/prices?exchange=NYSE&limit=5000"
    dates = []
    while url:
        with urllib.request.urlopen(url, timeout=30) as response:
            page = json.load(response)
        dates.extend(bar["date"] for bar in page["prices"])
        cursor = page.get("next_cursor")
        url = f"{base_url}/api/datasets/%5EGSPC/prices?exchange=NYSE&limit=5000&cursor={cursor}" if cursor else None
    if len(dates) < count:
        raise RuntimeError(f"^GSPC has {len(dates)} sessions; {count} are needed for the DRIFT series")
    return dates[-count:]


def drift_csv(base_url, calm=600, drift=60, seed=7):
    """The CSV text (header date,open,high,low,close,volume)."""
    rng = random.Random(seed)
    dates = nyse_sessions(base_url, calm + drift + 1)
    close = 100.0
    lines = ["date,open,high,low,close,volume"]
    for i, date in enumerate(dates):
        if i > 0:
            r = math.log(1.01) if i > calm else rng.gauss(0.0, 0.01)
            close *= math.exp(r)
        open_ = close * (1 + rng.uniform(-0.002, 0.002))
        high = max(open_, close) * 1.003
        low = min(open_, close) * 0.997
        lines.append(f"{date},{open_:.4f},{high:.4f},{low:.4f},{close:.4f},{rng.randint(900_000, 1_100_000)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys
    sys.stdout.write(drift_csv(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"))

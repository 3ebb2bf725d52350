#!/usr/bin/env python3
"""The Python side of the forecasting benchmark (bench/run-forecast-bench.sh runs it next to StockCastBench).

accuracy: the same walk-forward protocol as StockCastBench (Sources/StockCastBench/AccuracyBench.swift, which uses
  WalkForwardBacktest): usable rows = sessions with every feature defined and a next close; the last 20 % of them
  (rounded up) are the test origins, split into folds of 20; at the first origin o of a fold one model per horizon
  h = 1…10 is fitted on every complete row t with t + h ≤ o (expanding window, target ln(c[t+h] / c[t])) and
  forecasts every origin of the fold. Models: naive, drift (h × mean one-session log return since the first
  complete row), scikit-learn StandardScaler + Ridge with α chosen on the last 20 % of the training window (as
  ours), xgboost XGBRegressor and XGBRFRegressor with our hyper-parameters, and statsforecast AutoETS on the log
  close (refit at each fold, `forward` from each origin) as an extra reference. Metrics as HorizonMetrics.swift:
  Theil's U = price RMSE ÷ naive's, directional accuracy ((ŷ > 0) == (r > 0)) and the up-rate.
speed: single-fit times (h = 1, all usable rows), the ridge backtest with a refit every session (h = 1), and the
  in-process latency of one prediction (model call only, features not included).

Usage: forecast_bench.py accuracy --csv FILE --ticker T --out JSON [--swift-features CSV]
       forecast_bench.py speed --csv FILE --ticker T --out JSON [--latency-calls N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import forecast_features as ff  # noqa: E402

VAL_SIZE = 0.2
REFIT_EVERY = 20
MAX_HORIZON = 10
REPORTED = (1, 5, 10)
ALPHAS = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000]
XGB_PARAMS = dict(n_estimators=100, max_depth=6, learning_rate=0.1, subsample=1.0, colsample_bynode=1.0,
                  reg_lambda=1.0, tree_method="hist", n_jobs=1, random_state=42)
RF_PARAMS = dict(n_estimators=100, max_depth=8, learning_rate=1.0, subsample=0.8, colsample_bynode=0.8,
                 reg_lambda=1e-5, tree_method="hist", n_jobs=1, random_state=42)


# --- data and protocol ------------------------------------------------------------------------------------------

class Series:
    """A CSV series with its features (pandas) and the protocol's rows."""

    def __init__(self, path: str):
        frame = ff.load_csv(path)
        ff.add_indicators(frame)
        self.frame = frame
        self.features = ff.features(frame)
        self.x = self.features.to_numpy()
        self.closes = (frame["close"] * frame["adjustment_factor"]).to_numpy()
        self.log_closes = np.log(self.closes)
        self.sessions = frame["session"].dt.strftime("%Y-%m-%d").to_numpy()
        self.n = len(self.closes)
        self.complete = np.where(np.isfinite(self.x).all(axis=1))[0]

    def origins(self) -> np.ndarray:
        usable = self.complete[self.complete <= self.n - 2]
        count = min(math.ceil(len(usable) * VAL_SIZE), len(usable) - 1)
        return usable[-count:]

    def training(self, origin: int, h: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.complete[self.complete + h <= origin]
        return self.x[rows], self.log_closes[rows + h] - self.log_closes[rows]


# --- models -----------------------------------------------------------------------------------------------------

def fit_ridge(x: np.ndarray, y: np.ndarray):
    """StandardScaler + Ridge; α by time-ordered validation (fit on the first 80 %, squared error on the rest, the
    first best on a tie; the largest α when the window is too short), then refitted on every row."""
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    fitting = int(len(y) * 0.8)
    chosen = max(ALPHAS)
    if fitting >= 2 and len(y) > fitting:
        best = None
        for alpha in ALPHAS:
            model = make_pipeline(StandardScaler(), Ridge(alpha=alpha)).fit(x[:fitting], y[:fitting])
            error = float(np.sum((model.predict(x[fitting:]) - y[fitting:]) ** 2))
            if np.isfinite(error) and (best is None or error < best):
                best, chosen = error, alpha
    return make_pipeline(StandardScaler(), Ridge(alpha=chosen)).fit(x, y)


def fit_xgboost(x: np.ndarray, y: np.ndarray):
    import xgboost as xgb

    return xgb.XGBRegressor(base_score=float(y.mean()), **XGB_PARAMS).fit(x, y)


def fit_xgboost_rf(x: np.ndarray, y: np.ndarray):
    import xgboost as xgb

    return xgb.XGBRFRegressor(base_score=float(y.mean()), **RF_PARAMS).fit(x, y)


FITTERS = {"ridge": fit_ridge, "xgboost": fit_xgboost, "xgboost_rf": fit_xgboost_rf}


def backtest(series: Series, model: str) -> dict:
    """One model's walk-forward backtest: per horizon, the predicted log returns aligned with the origins that have a
    realised close (`origin + h ≤ n − 1`)."""
    origins = series.origins()
    first_complete = int(series.complete[0])
    predicted = {h: [] for h in range(1, MAX_HORIZON + 1)}
    folds = 0
    ets = None
    for start in range(0, len(origins), REFIT_EVERY):
        fold = origins[start:start + REFIT_EVERY]
        origin = int(fold[0])
        folds += 1
        if model == "ets":
            from statsforecast.models import AutoETS

            ets = AutoETS(season_length=1, model="ZZN").fit(series.log_closes[:origin + 1])
            paths = [ets.forward(y=series.log_closes[:o + 1], h=MAX_HORIZON)["mean"] - series.log_closes[o] for o in fold]
        for h in range(1, MAX_HORIZON + 1):
            keep = fold[fold + h <= series.n - 1]
            if model == "naive":
                values = np.zeros(len(keep))
            elif model == "drift":
                mean = (series.log_closes[origin] - series.log_closes[first_complete]) / (origin - first_complete)
                values = np.full(len(keep), h * mean)
            elif model == "ets":
                values = np.array([path[h - 1] for path in paths[:len(keep)]])
            else:
                # Fitted even when no origin of the fold has a realised close at h (as ours does).
                x, y = series.training(origin, h)
                fitted = FITTERS[model](x, y)
                values = fitted.predict(series.x[keep]) if len(keep) else []
            predicted[h].extend(float(v) for v in values)
    return {"origins": origins, "predicted": predicted, "folds": folds}


def metrics(series: Series, origins: np.ndarray, h: int, predicted: list[float]) -> dict:
    """HorizonMetrics.score's price RMSE / MAE, Theil's U and directional accuracy with the up-rate."""
    rows = origins[:len(predicted)]
    origin_closes = series.closes[rows]
    actual = series.closes[rows + h]
    forecast = np.asarray(predicted)
    realised = np.log(actual / origin_closes)
    error = origin_closes * np.exp(forecast) - actual
    naive_error = origin_closes - actual
    rmse = float(np.sqrt(np.mean(error ** 2)))
    naive_rmse = float(np.sqrt(np.mean(naive_error ** 2)))
    return {
        "horizon": h, "n": int(len(rows)), "rmse": rmse, "mae": float(np.mean(np.abs(error))),
        "theil_u": rmse / naive_rmse if naive_rmse > 0 else None,
        "directional_accuracy": float(np.mean((forecast > 0) == (realised > 0))),
        "up_rate": float(np.mean(realised > 0)),
    }


def accuracy(args) -> dict:
    series = Series(args.csv)
    result = {"ticker": args.ticker, "sessions": series.n, "models": []}
    if args.swift_features:
        swift = pd.read_csv(args.swift_features)
        ours = series.features.to_numpy()
        theirs = swift[ff.FEATURES].to_numpy()
        mismatch = int((np.isnan(ours) != np.isnan(theirs)).sum())
        both = np.isfinite(ours) & np.isfinite(theirs)
        result["feature_check"] = {
            "rows": int(len(ours)), "columns": len(ff.FEATURES), "undefined_mismatches": mismatch,
            "max_abs_difference": float(np.max(np.abs(ours[both] - theirs[both]))),
        }
    origins = series.origins()
    result["window"] = {"test_start": series.sessions[origins[0]], "test_end": series.sessions[origins[-1]],
                        "test_origins": int(len(origins)), "usable_rows": int(np.sum(series.complete <= series.n - 2))}
    repeats = {"naive": 5, "drift": 5, "ridge": 3}
    from statsforecast.models import AutoETS

    AutoETS(season_length=1, model="ZZN").fit(series.log_closes[:300])  # numba compiles on the first fit: not timed
    for model in ("naive", "drift", "ridge", "xgboost", "xgboost_rf", "ets"):
        seconds = []
        for _ in range(repeats.get(model, 1)):
            started = time.perf_counter()
            # The timed run includes the feature matrix, as WalkForwardBacktest.run does on our side.
            run_series = Series(args.csv) if model != "ets" else series
            run = backtest(run_series, model)
            scored = [metrics(run_series, run["origins"], h, run["predicted"][h]) for h in range(1, MAX_HORIZON + 1)]
            seconds.append(time.perf_counter() - started)
        fitted = model not in ("naive", "drift")
        result["models"].append({
            "model": model, "seconds": seconds, "median_seconds": statistics.median(seconds), "folds": run["folds"],
            "fits": run["folds"] * (MAX_HORIZON if model != "ets" else 1) if fitted else 0,
            "metrics": [m for m in scored if m["horizon"] in REPORTED],
        })
        u1 = result["models"][-1]["metrics"][0]["theil_u"]
        print(f"{args.ticker} python {model}: backtest {statistics.median(seconds):.3f} s, {run['folds']} folds, "
              f"U(h=1) {u1:.4f}", flush=True)
    return result


# --- speed ------------------------------------------------------------------------------------------------------

def speed(args) -> dict:
    from sklearn.ensemble import RandomForestRegressor

    series = Series(args.csv)
    usable = series.complete[series.complete <= series.n - 2]
    x = series.x[usable]
    y = series.log_closes[usable + 1] - series.log_closes[usable]
    result = {"ticker": args.ticker, "sessions": series.n, "single_fit": [], "latency": []}

    def timed(repeats: int, body) -> tuple[list[float], object]:
        seconds, value = [], None
        for _ in range(repeats):
            started = time.perf_counter()
            value = body()
            seconds.append(time.perf_counter() - started)
        return seconds, value

    def summary(seconds: list[float]) -> dict:
        ordered = sorted(seconds)
        rank = lambda q: ordered[min(max(math.ceil(q * len(ordered)), 1), len(ordered)) - 1]  # noqa: E731
        return {"count": len(ordered), "median": rank(0.5), "min": ordered[0],
                "mean": sum(ordered) / len(ordered), "p99": rank(0.99)}

    models = {}
    for name, repeats, body in (
        ("ridge", 50, lambda: fit_ridge(x, y)),
        ("xgboost", 7, lambda: fit_xgboost(x, y)),
        ("xgboost_rf", 7, lambda: fit_xgboost_rf(x, y)),
        ("sklearn_random_forest", 3, lambda: RandomForestRegressor(
            n_estimators=100, max_depth=8, max_samples=0.8, max_features=0.8, n_jobs=1, random_state=42).fit(x, y)),
    ):
        seconds, models[name] = timed(repeats, body)
        result["single_fit"].append({"model": name, "rows": int(len(y)), "columns": int(x.shape[1]),
                                     "seconds": summary(seconds)})
        print(f"{args.ticker} python single fit {name}: {statistics.median(seconds):.4f} s on {len(y)} rows", flush=True)

    # Ridge backtest at h = 1 with a refit at every test session (the same origins as ours).
    origins = series.origins()
    started = time.perf_counter()
    fits = 0
    for origin in origins:
        xt, yt = series.training(int(origin), 1)
        fit_ridge(xt, yt).predict(series.x[[origin]])
        fits += 1
    elapsed = time.perf_counter() - started
    result["ridge_refit_every_session"] = {"sessions": series.n, "fits": fits, "seconds": summary([elapsed])}
    print(f"{args.ticker} python ridge backtest, refit every session: {fits} fits in {elapsed:.3f} s", flush=True)

    # In-process latency of one prediction: the model call on one prepared row (no features, no dates).
    row = series.x[[int(series.complete[-1])]]
    booster = models["xgboost"].get_booster()
    for name, call in (("ridge", lambda: models["ridge"].predict(row)),
                       ("xgboost", lambda: booster.inplace_predict(row))):
        for _ in range(500):
            call()
        samples = []
        for _ in range(args.latency_calls):
            started = time.perf_counter_ns()
            call()
            samples.append((time.perf_counter_ns() - started) / 1000)
        result["latency"].append({"model": name, "calls": args.latency_calls, "micros": summary(samples),
                                  "what": "model call on one prepared row"})
        print(f"{args.ticker} python {name} predict latency: p50 {statistics.median(samples):.1f} µs", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["accuracy", "speed"])
    parser.add_argument("--csv", required=True)
    parser.add_argument("--ticker", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--swift-features", help="StockCastBench's feature matrix, to compare with ours")
    parser.add_argument("--latency-calls", type=int, default=20000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    import sklearn
    import statsforecast
    import xgboost

    result = accuracy(args) if args.command == "accuracy" else speed(args)
    result["versions"] = {"python": sys.version.split()[0], "pandas": pd.__version__, "numpy": np.__version__,
                          "scikit_learn": sklearn.__version__, "xgboost": xgboost.__version__,
                          "statsforecast": statsforecast.__version__}
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

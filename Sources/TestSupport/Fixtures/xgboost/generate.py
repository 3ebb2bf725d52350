"""Writes the XGBoost cross-compatibility fixtures used by Tests/PredictionCoreTests/XGBoostCompatibilityTests.swift.

Trains two tiny regression models with the Python xgboost package on seeded synthetic data, saves them in XGBoost's
JSON format and records their predictions on fixed rows (one with a missing value). Our XGBoostRegressor must load
the JSON and reproduce the predictions to float32 precision.

Run in a throwaway virtual environment with the same XGBoost release as Debian's libxgboost-dev (1.7.4):

    python3 -m venv /tmp/xgb && /tmp/xgb/bin/pip install xgboost==1.7.4 "numpy<2"
    /tmp/xgb/bin/python Sources/TestSupport/Fixtures/xgboost/generate.py
"""

import csv
import math
import pathlib

import numpy as np
import xgboost as xgb

HERE = pathlib.Path(__file__).resolve().parent
COLUMNS = 3


def training_data():
    rng = np.random.default_rng(20240531)
    x = rng.uniform(-1.0, 1.0, size=(400, COLUMNS)).astype(np.float32)
    y = np.sin(3.0 * x[:, 0]) * x[:, 1] + 0.5 * x[:, 2] ** 2 + rng.normal(0.0, 0.05, size=400)
    return x, y.astype(np.float32)


def probe_rows():
    rng = np.random.default_rng(7)
    rows = rng.uniform(-1.2, 1.2, size=(12, COLUMNS)).astype(np.float32)
    rows[3, 1] = np.nan  # a missing value takes each tree's default branch
    return rows


def write(name, params, rounds):
    x, y = training_data()
    booster = xgb.train(params, xgb.DMatrix(x, label=y, missing=np.nan), num_boost_round=rounds)
    booster.save_model(str(HERE / f"{name}.json"))
    rows = probe_rows()
    predictions = booster.predict(xgb.DMatrix(rows, missing=np.nan))
    with open(HERE / f"{name}-predictions.csv", "w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow([f"f{i}" for i in range(COLUMNS)] + ["prediction"])
        for row, value in zip(rows, predictions):
            # repr of a float32 widened to float64 is exact, so the file holds the float32 values bit for bit.
            cells = ["nan" if math.isnan(v) else repr(float(v)) for v in row]
            out.writerow(cells + [repr(float(value))])


common = {"objective": "reg:squarederror", "tree_method": "hist", "max_depth": 3, "seed": 3, "nthread": 1}
write("gbtree", {**common, "eta": 0.3, "base_score": 0.1}, rounds=15)
write("forest", {**common, "eta": 1.0, "num_parallel_tree": 8, "subsample": 0.8, "colsample_bynode": 0.8,
                 "lambda": 1e-5}, rounds=1)
print("xgboost", xgb.__version__, "fixtures written to", HERE)

# StockCast: the two set-up commands are `make run` and `make test` (see README).
SHELL := /bin/bash
SWIFT ?= swift
DATA_DIR ?= ./var
# What building and running needs from Debian (the Swift toolchain itself comes with the machine):
# zlib headers for swift-nio-extras' compression; LAPACKE/OpenBLAS for ridge regression; libxgboost for gradient-boosted
# trees and random forests; the design card's system packages.
BUILD_PACKAGES := zlib1g-dev libssl-dev libpq-dev liblapacke-dev libopenblas-dev libxgboost-dev librdkafka-dev
# What the test suite needs on top: a real PostgreSQL 15 server for the PostgreSQL store suite, Prometheus (and promtool)
# for the monitor/ test, Chromium and chromedriver for the browser journeys, venv for the tests' PyPI packages, openssl
# for the TLS test's certificate, nginx in front of the scale-out stage's instances.
TEST_PACKAGES := postgresql postgresql-client prometheus chromium chromium-driver python3-venv openssl nginx-light
# The tests' Python environment (selenium, websockets, PyYAML, schemathesis from Tests/requirements.txt).
TEST_PYTHON := .venv-tests
# Tests and CI: an uncaught error otherwise spends ~30 s in the backtracer.
export SWIFT_BACKTRACE := enable=no

.PHONY: run test build release bench deps test-deps clean-data

## make run: install what is missing, build release, start the server on 127.0.0.1:8080 with the sample data.
run: deps release
	.build/release/stockcast serve --data-dir $(DATA_DIR)

deps:
	@scripts/install-packages.sh $(BUILD_PACKAGES)

release: deps
	$(SWIFT) build -c release --product stockcast

build: deps
	$(SWIFT) build

## make test: install what tests need, then every stage of scripts/test-stages.sh, each timed: the Swift suites (with a
## private PostgreSQL 15 and librdkafka's mock cluster), two instances on one Kafka mock cluster, a real Prometheus
## evaluating every dashboard and rule, the browser journeys in headless Chromium, schemathesis and a connection flood,
## fault injection (kill -9, SIGTERM, PostgreSQL stopped under load), and a grep of every log for API keys.
## Every stage runs; the exit status is non-zero if any failed.
test: deps test-deps
	@PATH="$(CURDIR)/$(TEST_PYTHON)/bin:$$PATH" SWIFT="$(SWIFT)" scripts/test-stages.sh

test-deps:
	@scripts/install-packages.sh $(TEST_PACKAGES)
	@scripts/python-env.sh $(TEST_PYTHON) Tests/requirements.txt

## make bench: ETL throughput, SQLite and PostgreSQL, side by side with the pandas path; then forecasting accuracy
## and speed vs scikit-learn / xgboost / statsforecast, and POST /api/predict/ under load vs a FastAPI anchor; then
## WebSocket fan-out (1,000 clients, 10 stalled), the Kafka path between two instances, and the web UI's page weight,
## first chart and panning in headless Chromium, a 10-minute soak of mixed load, and predictions and trainings with 1, 2
## and 3 instances behind nginx (writes bench/out/ and BENCHMARKS.md).
bench: deps test-deps release
	bench/run-etl-bench.sh
	bench/run-forecast-bench.sh
	bench/run-stream-bench.sh
	bench/run-kafka-path-bench.sh
	bench/run-ui-bench.sh --binary $(CURDIR)/.build/release/stockcast
	bench/run-soak-bench.sh
	bench/run-scale-bench.sh

clean-data:
	rm -rf $(DATA_DIR)

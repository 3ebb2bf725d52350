"""Browser journeys through the StockCast web UI (run by scripts/browser-tests.sh against a server on the sample data).

Each journey drives the real UI in headless Chromium and asserts on the DOM (data attributes the pages publish, the
text they show, compared with what the API says) and on the browser console: any SEVERE entry fails the journey
unless it is an API error the journey provokes on purpose and checks the UI shows.

    python3 Tests/Browser/journeys.py --base-url http://127.0.0.1:8080 --key-file var/admin.key [--screenshots DIR]
"""

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Api, Browser, JourneyFailure, PHONE  # noqa: E402
from drift_csv import drift_csv  # noqa: E402

CONFIG = {"base_url": "", "key": "", "screenshots": "", "server_ctl": "", "auth_base_url": "", "auth_key": ""}
B = None  # the shared Browser
API = None


def setUpModule():
    global B, API
    API = Api(CONFIG["base_url"], CONFIG["key"])
    B = Browser(CONFIG["base_url"])


def tearDownModule():
    if B:
        B.quit()


def money(value):
    """A price the way the UI prints it (en-US, two decimals)."""
    return f"{value:,.2f}"


def shoot(name, **kwargs):
    if CONFIG["screenshots"]:
        B.screenshot(os.path.join(CONFIG["screenshots"], f"{name}.png"), **kwargs)


def ensure_key():
    """Stores the admin key through the UI's key dialog (once; localStorage keeps it for later journeys)."""
    if B.js("return localStorage.getItem('stockcast.apiKey')"):
        return
    B.find("#key-button").click()
    field = B.find("#key-dialog input[name='key']", what="the API key dialog")
    field.clear()
    field.send_keys(CONFIG["key"])
    B.find("#key-dialog button[type='submit']").click()
    B.wait(lambda: not B.all("#key-dialog"), 15, "the key dialog to close after saving the key")
    B.wait(lambda: "admin" in B.find("#key-button").text, 10, "the header to show the admin role")


def hash_params():
    h = B.hash()
    return dict(urllib.parse.parse_qsl(h.split("?", 1)[1])) if "?" in h else {}


class Journeys(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        B.drain_console()

    # ---- 1. Stocks -------------------------------------------------------------------------------------------------

    def test_1_stocks_chart(self):
        goog = next(d for d in API.get("/api/datasets") if d["ticker"] == "GOOG")
        B.open("stocks?ticker=GOOG")
        chart = B.find(".price-chart[data-stage='full']", 60, "the GOOG chart with its whole history")
        self.assertEqual(int(chart.get_attribute("data-bars")), goog["count"], "data-bars = sessions stored")
        self.assertEqual(chart.get_attribute("data-last"), goog["end_date"])

        # crosshair tooltip with OHLCV equal to the stored bar
        ActionChains(B.driver).move_to_element_with_offset(chart, 120, -40).perform()
        tip = B.find(".price-chart .chart-tooltip", 10, "the crosshair tooltip on hover")
        date = tip.get_attribute("data-date")
        bar = API.get(f"/api/datasets/GOOG/prices?exchange=NASDAQ&from={date}&to={date}")["prices"][0]
        shown = {dd.get_attribute("data-field"): dd.text for dd in tip.find_elements(By.CSS_SELECTOR, "dd")}
        self.assertEqual((shown["O"], shown["H"], shown["L"], shown["C"], shown["V"]),
                         (money(bar["open"]), money(bar["high"]), money(bar["low"]), money(bar["close"]), f"{bar['volume']:,}"))

        # overlays and the indicator pane toggle, and land in the URL
        B.find("input[data-overlay='bb']").click()
        B.wait(lambda: "bb" in chart.get_attribute("data-overlays").split(","), 5, "the Bollinger overlay to turn on")
        B.wait(lambda: "bb" in hash_params().get("ov", "").split(","), 5, "ov=…bb in the URL")
        self.assertIn("BB upper", B.find(".price-chart .chart-legend").text)
        B.find("input[data-overlay='ma']").click()
        B.wait(lambda: "ma" not in chart.get_attribute("data-overlays").split(","), 5, "the MA overlay to turn off")
        B.driver.find_element(By.CSS_SELECTOR, "input[name='pane'][value='rsi']").find_element(By.XPATH, "..").click()
        B.wait(lambda: chart.get_attribute("data-pane") == "rsi", 5, "the RSI pane")
        self.assertEqual(hash_params().get("pane"), "rsi")

        # keyboard: "c" focuses the chart, + zooms in, ← pans back; the view is written to the URL
        view0 = (chart.get_attribute("data-from"), chart.get_attribute("data-to"))
        B.js("document.activeElement && document.activeElement.blur()")
        ActionChains(B.driver).send_keys("c").perform()
        self.assertTrue(B.js("return document.activeElement.classList.contains('price-chart')"), "c focuses the chart")
        ActionChains(B.driver).send_keys("+").perform()
        B.wait(lambda: chart.get_attribute("data-from") > view0[0], 5, "+ to zoom in (later first visible session)")
        ActionChains(B.driver).send_keys(Keys.ARROW_LEFT).perform()
        B.wait(lambda: chart.get_attribute("data-to") < view0[1], 5, "← to pan back in time")
        view = (chart.get_attribute("data-from"), chart.get_attribute("data-to"))
        B.wait(lambda: (hash_params().get("from"), hash_params().get("to")) == view, 5, "the visible range in the URL")

        # the URL restores the same view (bookmarkable)
        B.reload(B.hash())
        chart = B.find(".price-chart[data-stage='full']", 60, "the chart after reloading the bookmarked URL")
        self.assertEqual((chart.get_attribute("data-from"), chart.get_attribute("data-to")), view)
        self.assertEqual(chart.get_attribute("data-pane"), "rsi")
        self.assertIn("bb", chart.get_attribute("data-overlays").split(","))
        shoot("stocks")
        shoot("phone-stocks", size=PHONE, mobile=True)

        # shell: help overlay, theme toggle, page shortcut
        ActionChains(B.driver).send_keys("?").perform()
        B.find("dialog#help[open]", 5, "the keyboard help overlay")
        ActionChains(B.driver).send_keys(Keys.ESCAPE).perform()
        B.wait(lambda: not B.all("dialog#help"), 5, "Esc to close the help")
        theme = B.js("return document.documentElement.dataset.theme")
        ActionChains(B.driver).send_keys("t").perform()
        B.wait(lambda: B.js("return document.documentElement.dataset.theme") != theme, 5, "t to switch the theme")
        shoot(f"stocks-{B.js('return document.documentElement.dataset.theme')}")
        ActionChains(B.driver).send_keys("t").perform()
        B.wait(lambda: B.js("return document.documentElement.dataset.theme") == theme, 5, "t to switch the theme back")
        ActionChains(B.driver).send_keys("3").perform()
        B.wait(lambda: B.hash().startswith("#/datasets"), 5, "3 to open Datasets")
        B.assert_console_clean()

    # ---- 2. Datasets / ETL -------------------------------------------------------------------------------------------

    def test_2_etl_run(self):
        tracked = {t["ticker"]: t for t in API.get("/api/etl/tickers")}
        source = tracked["GOOG"]["source"]
        if source.startswith("csv:") and "/import/" in source:
            source = "csv:" + source.split("/import/", 1)[1]
        runs = API.get("/api/etl/runs?limit=1")["runs"]
        last_id = runs[0]["id"] if runs else 0
        B.open("datasets")
        ensure_key()
        B.find("[data-table='runs']", 30, "the ETL runs table")
        form = B.find("form[aria-label='ETL list builder']")
        form.find_element(By.NAME, "ticker").send_keys("goog")
        exchange = form.find_element(By.NAME, "exchange")
        exchange.clear()
        exchange.send_keys("NASDAQ")
        form.find_element(By.NAME, "source").send_keys(source)
        form.find_element(By.CSS_SELECTOR, "[data-action='add-to-list']").click()
        B.find("[data-slot='builder-list'] li[data-ticker='GOOG']", 5, "GOOG in the ETL list")
        button = B.find("[data-action='run-etl']")
        self.assertEqual(button.text, "Run ETL (1)")
        button.click()

        def new_run():
            rows = [r for r in B.all("[data-table='runs'] tr[data-run-id]") if int(r.get_attribute("data-run-id")) > last_id]
            return rows[0] if rows else None
        row = B.wait(new_run, 20, "the new run in the runs table")
        run_id = row.get_attribute("data-run-id")
        B.wait(lambda: B.find(f"tr[data-run-id='{run_id}']").get_attribute("data-status") == "completed", 90,
               f"run #{run_id} to reach completed in the table (live status)")
        stored = API.get(f"/api/etl/runs/{run_id}")["run"]
        self.assertEqual((stored["ticker"], stored["exchange"], stored["status"]), ("GOOG", "NASDAQ", "completed"))

        B.find(f"tr[data-run-id='{run_id}']").click()
        detail = B.find(f"[data-run='{run_id}']", 15, f"the detail of run #{run_id}")
        self.assertEqual(hash_params().get("run"), run_id)
        self.assertEqual(detail.get_attribute("data-status"), "completed")
        read = detail.find_element(By.CSS_SELECTOR, "[data-count='read']").text
        self.assertEqual(read, f"{stored['counts']['read']:,}")
        steps = detail.find_elements(By.CSS_SELECTOR, "[data-table='steps'] tbody tr")
        self.assertEqual(len(steps), len(API.get(f"/api/etl/runs/{run_id}")["steps"]))
        shoot("datasets")

        # a CSV upload with one bad row: the run's detail lists the rejected row with its line and reason
        sessions = [bar["date"] for bar in API.get("/api/datasets/GOOG/prices?exchange=NASDAQ&from=2013-02-01&limit=5")["prices"]]
        rows = ["date,open,high,low,close,volume"] + [f"{d},10,11,9,10.5,1000" for d in sessions]
        rows[3] = f"{sessions[2]},10,9,11,10.5,1000"  # high below low on line 4
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
            handle.write("\n".join(rows) + "\n")
        upload = B.find("form[aria-label='Upload a CSV']")
        upload.find_element(By.NAME, "ticker").send_keys("UPLD")
        upload.find_element(By.NAME, "file").send_keys(handle.name)
        upload.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
        row = B.wait(lambda: next((r for r in B.all("[data-table='runs'] tr[data-run-id]") if "UPLD" in r.text), None), 20, "the upload's run")
        upload_id = row.get_attribute("data-run-id")
        B.wait(lambda: B.find(f"tr[data-run-id='{upload_id}']").get_attribute("data-status") == "completed", 60, "the upload run to complete")
        B.find(f"tr[data-run-id='{upload_id}']").click()
        issue = B.find(f"[data-run='{upload_id}'] [data-table='issues'] tr[data-severity='rejected']", 15, "the rejected row in the run's detail")
        self.assertIn("high_below_low", issue.text)
        self.assertTrue(issue.text.startswith("4 "), f"line number 4 shown first: {issue.text!r}")
        os.unlink(handle.name)

        # the tracked-ticker list: add one, then remove it (confirm dialog)
        track = B.find("form[aria-label='Track a ticker']")
        track.find_element(By.NAME, "ticker").send_keys("MSFT")
        track.find_element(By.NAME, "source").send_keys("stooq")
        track.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
        B.find("[data-table='tracked'] tr[data-ticker='MSFT']", 15, "MSFT in the tracked list")
        self.assertIn("MSFT", [t["ticker"] for t in API.get("/api/etl/tickers")])
        B.find("[data-table='tracked'] tr[data-ticker='MSFT'] .btn-danger").click()
        B.find("dialog[open] [data-confirm]", 5, "the confirmation").click()
        B.wait(lambda: not B.all("[data-table='tracked'] tr[data-ticker='MSFT']"), 15, "MSFT to leave the tracked list")
        self.assertNotIn("MSFT", [t["ticker"] for t in API.get("/api/etl/tickers")])
        B.assert_console_clean()

    # ---- 3. Models ---------------------------------------------------------------------------------------------------

    def test_3_register_train_promote(self):
        B.open("models?register=1")
        ensure_key()
        form = B.find("form[aria-label='Register a model']", 30, "the register form")
        Select(form.find_element(By.NAME, "instrument")).select_by_value("GOOG|NASDAQ")
        Select(form.find_element(By.NAME, "model_type")).select_by_value("linear_regression")
        chosen = ["return_lag_1", "return_lag_5", "close_to_sma10", "rsi14", "volatility_20"]
        for name in chosen:
            form.find_element(By.CSS_SELECTOR, f"input[name='feature'][value='{name}']").click()

        # a validation message from the API appears next to its field
        val = form.find_element(By.NAME, "val_size")
        val.clear()
        val.send_keys("0.95")
        form.find_element(By.CSS_SELECTOR, "[data-action='register']").click()
        error = B.find("[data-field='val_size'] .field-error", 10, "the API's val_size error next to the field")
        self.assertIn("val_size", error.text)
        val.clear()
        val.send_keys("0.2")
        form.find_element(By.CSS_SELECTOR, "[data-action='register']").click()
        model_id = B.wait(lambda: hash_params().get("model"), 15, "the new model's id in the URL")
        model = API.get(f"/api/models/{model_id}")
        self.assertEqual((model["ticker"], model["model_type"], sorted(model["features"])), ("GOOG", "linear_regression", sorted(chosen)))

        row_css = f"[data-table='models'] tr[data-model-id='{model_id}']"
        B.find(row_css, 15, f"model #{model_id} in the list")
        B.js("""window.__progress = [];
                new MutationObserver(() => {
                  const bar = document.querySelector(arguments[0] + " .progress");
                  if (bar) window.__progress.push(Number(bar.getAttribute('aria-valuenow')));
                }).observe(document.querySelector("[data-slot='models']"), {subtree: true, childList: true, attributes: true});""", row_css)
        B.find(f"{row_css} [data-action='train']").click()
        B.find(f"{row_css} .progress[data-progress='100'][data-state='completed']", 240, "the training progress bar to reach 100 %")
        seen = B.js("return window.__progress")
        self.assertEqual(seen[-1], 100)
        self.assertEqual(seen, sorted(seen), f"progress never goes back: {seen}")
        B.wait(lambda: B.find(row_css).get_attribute("data-status") == "trained", 30, "the model status to become trained")

        # The gate's rule (PromotionVerdict): mean MASE over every horizon below 1, below drift's, below the champion's.
        metrics = API.get(f"/api/models/{model_id}")["metrics"]
        mean = lambda rows: sum(r["mase"] for r in rows) / len(rows)  # noqa: E731
        champions = [m for m in API.get("/api/models?limit=500") if m["ticker"] == "GOOG" and "champion" in m.get("aliases", [])]
        champion_mean = mean(champions[0]["metrics"]["model"][:len(metrics["model"])]) if champions and champions[0]["metrics"] else None
        passes = mean(metrics["model"]) < min(1, mean(metrics["drift"]), champion_mean if champion_mean is not None else 1)
        B.find(f"{row_css} [data-action='promote']").click()
        verdict = B.find(f"[data-verdict][data-model-id='{model_id}']", 30, "the promotion gate's verdict")
        self.assertEqual(verdict.get_attribute("data-verdict"), "passed" if passes else "failed",
                         f"verdict shown vs mean MASE {mean(metrics['model']):.4f}, drift's {mean(metrics['drift']):.4f}, champion's {champion_mean}")
        self.assertIn("mean MASE", verdict.text)
        self.assertIn("significant", verdict.text, "significance is said in the UI")
        if passes:
            B.find(f"{row_css} [data-alias='champion']", 15, "the champion badge")
        B.open(f"models?model={model_id}")
        B.find(f"[data-model-detail='{model_id}'] [data-table='backtest'] tbody tr", 15, "the backtest table of the model")
        shoot("models")
        expected = [r"/api/models - Failed to load resource: .* 422"]
        if not passes:
            expected.append(rf"/api/models/{model_id}/promote - Failed to load resource: .* 409")
        B.assert_console_clean(expected)

    # ---- 4. Forecast -------------------------------------------------------------------------------------------------

    def test_4_forecast_fan(self):
        created = API.post("/api/models", {"ticker": "GOOG", "exchange": "NASDAQ", "model_type": "linear_regression"})
        task = API.post("/api/train", {"model_id": created["id"]})
        self.assertEqual(API.wait_task(task["task_id"])["status"].lower(), "completed")
        B.open(f"forecast?ticker=GOOG&exchange=NASDAQ&model={created['id']}")
        ensure_key()
        fan = B.find(".fan-chart", 30, "the forecast chart")
        B.wait(lambda: int(fan.get_attribute("data-history")) > 0, 30, "recent closes in the forecast chart")
        days = B.find("input[name='days']")
        days.clear()
        days.send_keys("10")
        B.find("[data-action='forecast']").click()
        B.find("[data-table='forecast-points'][data-rows='10']", 120, "10 forecast points in the table")
        B.wait(lambda: fan.get_attribute("data-points") == "10" and fan.get_attribute("data-fan") == "80,95", 10, "the fan with 10 points and 80/95 % bands")
        B.wait(lambda: B.find("[data-slot='task-status']").get_attribute("data-state") == "completed", 30, "the forecast task to complete")
        task_id = hash_params().get("task")
        points = API.get(f"/api/predict/future/partial_status/{task_id}")["result"]
        shown = [r.get_attribute("data-date") for r in B.all("[data-table='forecast-points'] tbody tr")]
        self.assertEqual(shown, [p["target_date"] for p in sorted(points, key=lambda p: p["horizon"])])
        self.assertGreater(shown[0], API.get("/api/datasets/GOOG/prices?exchange=NASDAQ&from=2013-03-01")["prices"][-1]["date"])
        self.assertTrue(all(datetime.date.fromisoformat(d).weekday() < 5 for d in shown), "targets are weekdays")
        self.assertEqual(shown, sorted(set(shown)), "targets are distinct and ascending")
        shoot("forecast")

        # single-day prediction of a past session shows its actual close
        B.js("const i = document.querySelector(\"input[name='target_date']\"); i.value = '2013-02-01';"
             "i.dispatchEvent(new Event('input', {bubbles: true}))")
        B.find("[data-action='predict']").click()
        actual = B.find("[data-slot='single-result'] [data-field='actual_close']", 30, "the single-day prediction")
        bar = API.get("/api/datasets/GOOG/prices?exchange=NASDAQ&from=2013-02-01&to=2013-02-01")["prices"][0]
        self.assertEqual(actual.text, money(bar["close"]))

        # the predictions are drawn over the prices on the Stocks page, with their intervals
        stored = API.get("/api/predict?ticker=GOOG&limit=1000")
        B.open("stocks?ticker=GOOG&ov=pred")
        chart = B.find(".price-chart[data-stage='full']", 60, "the GOOG chart")
        B.wait(lambda: chart.get_attribute("data-predictions") == str(len(stored)), 15, f"{len(stored)} predictions on the chart")
        row = B.wait(lambda: next((r for r in B.all("[data-slot='predictions'] tbody tr") if r.text.startswith("2013-02-01")), None), 15,
                     "the 2013-02-01 prediction in the table")
        self.assertIn(money(bar["close"]), row.text)
        B.assert_console_clean()

    # ---- 5. Production -----------------------------------------------------------------------------------------------

    def test_5_production_live(self):
        B.open("production")
        metrics = B.find("[data-slot='metrics']", 30, "the metrics panel")
        B.wait(lambda: int(metrics.get_attribute("data-frames")) > 0, 30, "a first /ws/metrics frame")
        first = metrics.get_attribute("data-last-timestamp")
        B.wait(lambda: metrics.get_attribute("data-last-timestamp") not in ("", first), 30, "a second, different /ws/metrics frame")
        self.assertNotEqual(B.find("[data-metric='memory_resident_bytes']").text, "–")
        B.find("[data-channel='metrics'][data-status='live']", 10, "/ws/metrics shown as live")
        B.find("[data-channel='alerts'][data-status='live']", 10, "/ws/alerts shown as live")
        config = API.get("/api/ui/config")
        self.assertTrue(config.get("grafana_url"), "the test server sets ui.grafana_url")
        self.assertEqual(B.find("a[data-link='grafana']").get_attribute("href"), config["grafana_url"])
        self.assertEqual(bool(B.all("a[data-link='prometheus']")), bool(config.get("prometheus_url")), "a Prometheus link only when configured")

        drift_items = "#alerts li[data-kind='return_drift']"
        before = [li for li in B.all(drift_items) if "DRIFT" in li.text]
        self.assertEqual(before, [], "no DRIFT alert before the import")
        csv = drift_csv(CONFIG["base_url"])
        API.request("POST", "/api/datasets/DRIFT/import?exchange=NYSE", raw=csv.encode(), content_type="text/csv")

        def drift_alert():
            items = [li for li in B.all(drift_items) if "DRIFT" in li.text and li.get_attribute("data-state") == "active"]
            return items[0] if items else None
        alert = B.wait(drift_alert, 90, "an active return_drift alert for DRIFT in the alert feed (from /ws/alerts)")
        self.assertIn("drift", alert.text.lower())
        toast = B.wait(lambda: next((t for t in B.all(".toast-warn") if "DRIFT" in t.text), None), 10, "the alert's toast (shown on every page)")
        self.assertIn("Return drift", toast.text)
        shoot("production")
        B.assert_console_clean()

    # ---- 6. Rollback and delete ----------------------------------------------------------------------------------

    def test_6_rollback_delete(self):
        ids = []
        for model_type in ("naive", "drift"):
            created = API.post("/api/models", {"ticker": "^GSPC", "exchange": "NYSE", "model_type": model_type})
            task = API.post("/api/train", {"model_id": created["id"]})
            self.assertEqual(API.wait_task(task["task_id"])["status"].lower(), "completed")
            API.request("POST", f"/api/models/{created['id']}/promote?force=true", body={})
            ids.append(created["id"])
        first, second = ids
        B.open("models?ticker=%5EGSPC")
        ensure_key()
        row = lambda i: f"[data-table='models'] tr[data-model-id='{i}']"  # noqa: E731
        B.find(f"{row(second)} [data-alias='champion']", 30, f"model #{second} as the champion of ^GSPC")
        B.find(f"{row(second)} [data-action='rollback']").click()
        B.find("dialog[open] [data-confirm]", 5, "the rollback confirmation").click()
        B.find(f"{row(first)} [data-alias='champion']", 30, f"the champion alias back on model #{first}")
        self.assertIn("champion", API.get(f"/api/models/{first}")["aliases"])
        self.assertNotIn("champion", API.get(f"/api/models/{second}")["aliases"])

        B.find(f"{row(second)} [data-action='delete']").click()
        dialog = B.find("dialog[open]", 5, "the delete confirmation")
        self.assertIn("cannot be undone", dialog.text)
        dialog.find_element(By.CSS_SELECTOR, "[data-confirm]").click()
        B.wait(lambda: not B.all(row(second)), 30, f"model #{second} to leave the list")
        remaining = [m["id"] for m in API.get("/api/models?limit=500")]
        self.assertNotIn(second, remaining)
        self.assertIn(first, remaining)
        B.assert_console_clean()

    # ---- 7. Overview -------------------------------------------------------------------------------------------------

    def test_7_overview(self):
        datasets = API.get("/api/datasets")
        B.open("overview")
        B.wait(lambda: len(B.all(".tiles .tile[data-ticker]")) == min(24, len(datasets)), 30, "one tile per instrument")
        goog = B.find(".tile[data-ticker='GOOG']")
        B.wait(lambda: goog.find_element(By.CSS_SELECTOR, ".tile-price").text not in ("…", ""), 15, "GOOG's last close")
        last = API.get("/api/datasets/GOOG/prices?exchange=NASDAQ&from=2013-03-01")["prices"][-1]["close"]
        self.assertEqual(goog.find_element(By.CSS_SELECTOR, ".tile-price").text, money(last))
        B.find("#alerts, .alert-feed", 10, "the latest alerts")
        shoot("overview")
        B.assert_console_clean()

    # ---- 8. Reconnecting live channels (stops and restarts the server: keep it last) --------------------------------

    def test_8_reconnect(self):
        if not CONFIG["server_ctl"]:
            self.skipTest("needs --server-ctl (scripts/browser-tests.sh passes it)")
        B.open("production")
        metrics = B.find("[data-slot='metrics']", 30, "the metrics panel")
        B.find("#live-pill[data-status='live']", 30, "the header's Live pill")
        B.wait(lambda: int(metrics.get_attribute("data-frames")) > 0 and not B.all("#alerts .state-loading, #tasks .state-loading"), 30,
               "the page's REST loads to finish before the server goes away")
        subprocess.run([CONFIG["server_ctl"], "stop"], check=True, timeout=30)
        pill = B.find("#live-pill[data-status='retrying']", 30, "the Live pill to show the lost connection")
        self.assertIn("retrying in", pill.text)
        B.find("[data-channel='metrics'][data-status='retrying']", 10, "/ws/metrics shown as reconnecting")
        frames = int(metrics.get_attribute("data-frames"))
        subprocess.run([CONFIG["server_ctl"], "start"], check=True, timeout=30)
        B.find("#live-pill[data-status='live']", 60, "the channels to reconnect after the server is back")
        B.wait(lambda: int(metrics.get_attribute("data-frames")) > frames, 30, "metrics frames again after reconnecting")
        # while the server was down every reconnect attempt (and nothing else) failed
        B.assert_console_clean([r"WebSocket connection to 'ws://[^']+/ws/(metrics|alerts|tasks)[^']*' failed"])

    # ---- 9. A server whose reads need a key ---------------------------------------------------------------------

    def test_9_read_requires_key(self):
        if not CONFIG["auth_base_url"]:
            self.skipTest("needs --auth-base-url (scripts/browser-tests.sh passes it)")
        base = CONFIG["auth_base_url"]
        B.driver.get(f"{base}/#/overview")
        B.find("[data-page='key-needed']", 30, "the page asking for a key (nothing is requested without one)")
        field = B.find("#key-dialog[open] input[name='key']", 10, "the key dialog, opened by itself")
        field.send_keys(CONFIG["auth_key"])
        B.find("#key-dialog button[type='submit']").click()
        datasets = Api(base, CONFIG["auth_key"]).get("/api/datasets")
        B.wait(lambda: len(B.all(".tiles .tile[data-ticker]")) == min(24, len(datasets)), 30, "the overview's tiles once the key is saved")
        B.find("#live-pill[data-status='live']", 30, "live channels authenticated with the key")
        self.assertIn("admin", B.find("#key-button").text)
        B.assert_console_clean()
        B.driver.get(f"{CONFIG['base_url']}/#/overview")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--key-file", required=True, help="the admin key (written by the first start)")
    parser.add_argument("--screenshots", default="", help="save each page to DIR/<page>.png")
    parser.add_argument("--server-ctl", default="", help="a command taking start|stop (for the reconnect journey)")
    parser.add_argument("--auth-base-url", default="", help="a server started with auth.read_requires_key=true")
    parser.add_argument("--auth-key-file", default="", help="that server's admin key")
    parser.add_argument("-k", dest="pattern", default="", help="run only journeys whose name contains this")
    args = parser.parse_args()
    with open(args.key_file) as handle:
        CONFIG.update(base_url=args.base_url.rstrip("/"), key=handle.read().strip(), screenshots=args.screenshots,
                      server_ctl=args.server_ctl, auth_base_url=args.auth_base_url.rstrip("/"))
    if args.auth_key_file:
        with open(args.auth_key_file) as handle:
            CONFIG["auth_key"] = handle.read().strip()
    loader = unittest.TestLoader()
    if args.pattern:
        loader.testNamePatterns = [f"*{args.pattern}*"]
    suite = loader.loadTestsFromTestCase(Journeys)
    result = unittest.TextTestRunner(verbosity=2, failfast=False).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()

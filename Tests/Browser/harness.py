"""The browser side of the journeys: headless Debian Chromium through Selenium, explicit waits with clear messages,
the console check (any SEVERE entry fails a journey unless the journey declared that exact entry as expected), an API
client for setting up data, and screenshots at fixed viewports."""

import json
import os
import re
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
DESKTOP = (1280, 800)
PHONE = (390, 844)


class JourneyFailure(AssertionError):
    """A journey step did not happen in time, or the page showed something wrong."""


class Api:
    """A tiny REST client for test setup (never for the assertions the UI must make visible)."""

    def __init__(self, base_url, key):
        self.base_url = base_url.rstrip("/")
        self.key = key

    def request(self, method, path, body=None, raw=None, content_type="application/json", timeout=30):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.key}")
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as err:
            raise JourneyFailure(f"{method} {path} answered {err.code}: {err.read().decode()[:300]}") from None
        return json.loads(text) if text else None

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body=None):
        return self.request("POST", path, body=body if body is not None else {})

    def wait_task(self, task_id, timeout=180):
        """Polls a task until it is final; returns the final row."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.get(f"/api/tasks/{task_id}")
            if row.get("status", "").lower() in ("completed", "success", "failed", "failure", "cancelled", "revoked"):
                return row
            time.sleep(0.5)
        raise JourneyFailure(f"task {task_id} did not finish within {timeout} s")


class Browser:
    """One headless Chromium for all journeys (localStorage, i.e. the API key, persists between them)."""

    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/")
        self.profile = tempfile.mkdtemp(prefix="stockcast-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                    "--no-default-browser-check", f"--user-data-dir={self.profile}", "--window-size=1280,1000",
                    "--force-device-scale-factor=1", "--hide-scrollbars", "--force-color-profile=srgb"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(30)
        self.viewport(*DESKTOP)

    def quit(self):
        try:
            self.driver.quit()
        except WebDriverException:
            pass

    # ---- navigation and waiting ------------------------------------------------------------------------------------

    def open(self, route):
        """Opens `#/route` (a full load when the page is elsewhere, a hash change otherwise)."""
        url = f"{self.base_url}/#/{route.lstrip('#/')}"
        if self.driver.current_url.startswith(self.base_url + "/"):
            self.driver.execute_script("location.hash = arguments[0]", "#/" + route.lstrip("#/"))
        else:
            self.driver.get(url)

    def reload(self, route):
        self.driver.get(f"{self.base_url}/#/{route.lstrip('#/')}")
        self.driver.refresh()

    def wait(self, predicate, timeout, what):
        """Waits until `predicate()` returns something truthy; fails with `what` and the page text otherwise."""
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            try:
                value = predicate()
                if value:
                    return value
            except (StaleElementReferenceException, WebDriverException) as err:
                last_error = err
            time.sleep(0.1)
        text = self.driver.execute_script("return (document.querySelector('main') || document.body).innerText.slice(0, 1500)")
        raise JourneyFailure(f"timed out after {timeout} s waiting for {what}"
                             f"{f' (last error: {last_error.__class__.__name__})' if last_error else ''}\n--- page text ---\n{text}")

    def find(self, css, timeout=15, what=None):
        """The first visible element matching `css`, waiting for it."""
        def visible():
            for el in self.driver.find_elements(By.CSS_SELECTOR, css):
                if el.is_displayed():
                    return el
            return None
        return self.wait(visible, timeout, what or f"a visible element {css!r}")

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def hash(self):
        return self.js("return location.hash")

    # ---- console -----------------------------------------------------------------------------------------------------

    def drain_console(self):
        return self.driver.get_log("browser")

    def assert_console_clean(self, expected=()):
        """Fails on any SEVERE browser log entry, except entries matching one of the `expected` regular expressions
        (used only for API error statuses a journey provokes on purpose and checks the UI shows, e.g. a 409 from a
        refused promotion: Chromium logs every 4xx response as SEVERE)."""
        severe = [e for e in self.drain_console() if e["level"] == "SEVERE"]
        unexpected = [e for e in severe if not any(re.search(p, e["message"]) for p in expected)]
        if unexpected:
            lines = "\n".join(f"  {e['source']}: {e['message'][:300]}" for e in unexpected)
            raise JourneyFailure(f"browser console errors:\n{lines}")
        return severe

    # ---- screenshots -------------------------------------------------------------------------------------------------

    def viewport(self, width, height, mobile=False):
        """Sets the CSS viewport exactly (window sizes include browser chrome, so emulate the metrics instead)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile,
        })

    def next_frames(self, count=2):
        """Returns after `count` animation frames (layout, resize observers and chart redraws have run)."""
        self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; let n = arguments[0];"
            "const tick = () => (--n <= 0 ? done() : requestAnimationFrame(tick)); requestAnimationFrame(tick);", count)

    def screenshot(self, path, size=DESKTOP, mobile=False):
        """Saves the viewport at `size` to `path` (then returns to the desktop viewport)."""
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.viewport(*size, mobile=mobile)
        self.js("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur && document.activeElement.blur();"
                "document.getElementById('toasts').replaceChildren()")
        self.next_frames(3)
        self.driver.save_screenshot(path)
        if size != DESKTOP or mobile:
            self.viewport(*DESKTOP)
            self.next_frames(2)

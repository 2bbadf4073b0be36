"""A daemon of the build under test, a canary server that records every request it gets, and one headless
Chromium for the whole session (scripts/browser-tests.sh sets the environment)."""
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

TOKEN = "browser-test-token-0123456789"
CORPUS = os.environ.get("VELLUM_BROWSER_CORPUS", "/tmp/vellum-browser-corpus")
SHOTS = os.environ.get("VELLUM_BROWSER_SHOTS", "/tmp/vellum-browser-shots")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vellum-browser-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, VELLUM_DATA_DIR=self.dir, VELLUM_PORT=str(self.port), VELLUM_BOOTSTRAP_TOKEN=TOKEN,
                   VELLUM_LOG_LEVEL="warning")
        self.log = open(os.path.join(self.dir, "daemon.log"), "w")
        self.process = subprocess.Popen([os.environ.get("VELLUM_BIN", ".build/debug/vellum"), "serve"], env=env,
                                        stdout=self.log, stderr=self.log)
        for _ in range(200):
            if self.healthy():
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("the daemon did not start")

    def healthy(self):
        try:
            return urllib.request.urlopen(self.base + "/health", timeout=2).status == 200
        except (urllib.error.URLError, ConnectionError):
            return False

    def request(self, method, path, body=None, content_type=None, token=TOKEN):
        request = urllib.request.Request(self.base + path, data=body, method=method)
        if token:
            request.add_header("Authorization", "Bearer " + token)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def bucket(self):
        status, _, body = self.request("POST", "/files")
        assert status == 200
        return json.loads(body)["id"]

    def put(self, bucket, key, data, content_type="application/octet-stream"):
        """Stores `data` (bytes or a path) and returns the version's JSON."""
        if isinstance(data, str):
            with open(data, "rb") as f:
                data = f.read()
        quoted = urllib.request.quote(key, safe="/")
        status, _, body = self.request("PUT", f"/files/{bucket}/{quoted}", data, content_type)
        assert status == 200, body
        return json.loads(body)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Canary:
    """Any request that reaches it is a call-out. `/control` answers `control_page` as plain HTML with no policy:
    the deliberately unsafe page that proves the detectors fire."""

    def __init__(self):
        self.hits = []
        self.control_page = b""
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/control":
                    body = canary.control_page
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                else:
                    canary.hits.append(self.path)
                    body = b"ok"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="session")
def daemon():
    d = Daemon()
    yield d
    d.stop()


@pytest.fixture(scope="session")
def canary():
    c = Canary()
    yield c
    c.stop()


@pytest.fixture(scope="session")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    os.makedirs(SHOTS, exist_ok=True)
    yield driver
    driver.quit()

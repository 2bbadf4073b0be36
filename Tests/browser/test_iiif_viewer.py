"""A real IIIF viewer opens a Vellum manifest unchanged: Mirador (its published bundle), on a page of another origin,
is given a public bucket's Presentation 3 manifest and told to open the third canvas. It can only do that if the
manifest and the info.json answer across origins (CORS); the test then proves that the third image's tiles were asked
of its Image API service and drawn on screen in that image's colour, and that the first image was not drawn."""
import http.server
import json
import os
import struct
import threading
import time
import zlib

import pytest
from selenium.webdriver.common.by import By

from conftest import SHOTS

MIRADOR = os.environ.get("VELLUM_MIRADOR_JS", "/tmp/vellum-browser-corpus/mirador/mirador.min.js")
PAGES = {"p1.png": (1200, 900, (200, 40, 30)), "p2.png": (900, 1200, (40, 160, 60)), "p3.png": (1600, 1000, (20, 90, 200))}
VIEWER_PAGE = """<!doctype html><meta charset="utf-8"><title>Mirador</title>
<style>body { margin: 0 } #viewer { position: relative; width: 1100px; height: 700px }</style>
<div id="viewer"></div><script src="/mirador.min.js"></script>
<script>Mirador.viewer({id: "viewer", windows: [{manifestId: %s, canvasIndex: 2}]});</script>"""
# The share of the viewer's drawing area (OpenSeadragon's) that is within 24 of a colour on every channel, read from a
# screenshot (base64 PNG) that the page decodes itself: what a person sees, whatever draws it.
SHARE_SCRIPT = """const [png, [r, g, b], done] = arguments;
const area = document.querySelector('.openseadragon-canvas');
if (!area) return done(0);
const box = area.getBoundingClientRect();
fetch('data:image/png;base64,' + png).then(answer => answer.blob()).then(createImageBitmap).then(bitmap => {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height), context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  const data = context.getImageData(box.left, box.top, box.width, box.height).data;
  let near = 0;
  for (let i = 0; i < data.length; i += 4)
    if (Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24) near++;
  done(near / (data.length / 4));
}).catch(() => done(-1));"""


def solid_png(width, height, colour):
    """An RGB PNG of one colour, made here."""
    raw = (b"\0" + bytes(colour) * width) * height
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def viewer_origin():
    """A page server on another port (another origin than the daemon's) that serves the viewer page and Mirador."""
    pages = {"/mirador.min.js": (open(MIRADOR, "rb").read(), "text/javascript")}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body, content_type = pages.get(self.path.split("?")[0], (b"not found", "text/plain"))
            self.send_response(200 if self.path.split("?")[0] in pages else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield pages, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def colour_share(browser, colour):
    return browser.execute_async_script(SHARE_SCRIPT, browser.get_screenshot_as_base64(), list(colour))


def test_mirador_draws_the_third_canvas(browser, daemon, viewer_origin):
    # A public bucket, as a deployment that shows its images to anonymous viewers has (Mirador sends no token).
    status, _, body = daemon.request("POST", "/files", json.dumps({"public": True}).encode(), "application/json")
    assert status == 200, body
    bucket = json.loads(body)["id"]
    for key, (width, height, colour) in PAGES.items():
        daemon.put(bucket, key, solid_png(width, height, colour), "image/png")
    manifest = f"{daemon.base}/iiif/v3/manifest/{bucket}"
    pages, origin = viewer_origin
    pages["/"] = ((VIEWER_PAGE % json.dumps(manifest)).encode(), "text/html; charset=utf-8")
    browser.get(origin + "/")
    third = PAGES["p3.png"][2]
    deadline = time.monotonic() + 30
    while colour_share(browser, third) < 0.5 and time.monotonic() < deadline:
        time.sleep(0.5)
    browser.save_screenshot(os.path.join(SHOTS, "iiif-viewer.png"))
    requested = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    service = f"{daemon.base}/iiif/v3/{bucket}:"
    assert manifest in requested
    assert service + "p3.png/info.json" in requested, requested
    # Tiles: a region of the image (x,y,w,h), not the whole image as a thumbnail asks.
    tiles = [url for url in requested if url.startswith(service + "p3.png/") and url.endswith("/default.jpg")
             and url[len(service + "p3.png/"):].split("/")[0].count(",") == 3]
    assert tiles, requested
    # The other canvases: at most a thumbnail (the whole image), never a tile or an info.json.
    assert not [url for url in requested if url.startswith((service + "p1.png/", service + "p2.png/"))
                and "/full/" not in url], requested
    assert all(url.startswith((origin + "/", daemon.base + "/")) for url in requested), requested
    # Drawn: most of the drawing area is the third image's colour, none of it the first's.
    assert colour_share(browser, third) > 0.5
    assert colour_share(browser, PAGES["p1.png"][2]) < 0.01
    assert "3 of 3 • p3.png" in browser.find_element(By.TAG_NAME, "body").text  # Mirador's own caption

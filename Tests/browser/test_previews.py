"""Preview pages as a person sees them in Chromium: real files from Debian and PyPI packages, a hostile corpus that
must never run, call out or show a local file, and damaged files that get their page within 10 s."""
import glob
import io
import json
import os
import re
import struct
import subprocess
import time
import wave
import zipfile
import zlib

import pytest
from selenium.webdriver.common.by import By

from conftest import CORPUS, SHOTS

ROOT = os.path.join(CORPUS, "root")
NBCONVERT = os.path.join(CORPUS, "nbconvert-7.17.2")
PYPDF = os.path.join(CORPUS, "pypdf-7.1.1")
NBFORMAT = os.path.join(CORPUS, "nbformat-5.11.1")
ASSETS = os.environ.get("VELLUM_PREVIEW_ASSETS", os.path.join(CORPUS, "assets"))
MARK = "EXEC" + "UTED"  # what a payload that ran writes; its source never holds the word whole


def show(browser, daemon, bucket, key, data, content_type="application/octet-stream", shot=None):
    """Stores a file, opens its `links.preview` (the ticket alone: no token, as an iframe would) and returns the
    time the page took."""
    link = daemon.put(bucket, key, data, content_type)["links"]["preview"]
    browser.get_log("browser")  # drop earlier entries
    start = time.monotonic()
    browser.get(link)
    elapsed = time.monotonic() - start
    if shot:
        # The images in view drawn first (a PDF's pages load after the page).
        visible = "return Array.from(document.images).filter(i => i.getBoundingClientRect().top < innerHeight).every(i => i.complete)"
        deadline = time.monotonic() + 5
        while not browser.execute_script(visible) and time.monotonic() < deadline:
            time.sleep(0.1)
        browser.save_screenshot(os.path.join(SHOTS, shot + ".png"))
    return elapsed


def text(element):
    return element.get_attribute("textContent")


@pytest.fixture(scope="module")
def bucket(daemon):
    return daemon.bucket()


# --- Real files ------------------------------------------------------------------------------------------------

def spectrum():
    folder = os.path.join(ROOT, "usr/share/nodejs/csv-spectrum")
    return sorted(glob.glob(os.path.join(folder, "csvs/*.csv")))


@pytest.mark.parametrize("path", spectrum(), ids=os.path.basename)
def test_csv_spectrum_cells(browser, daemon, bucket, path):
    name = os.path.basename(path)
    expected = json.load(open(path.replace("/csvs/", "/json/").replace(".csv", ".json")))
    show(browser, daemon, bucket, "spectrum/" + name, path, "text/csv", shot="csv" if name == "quotes_and_newlines.csv" else None)
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-kind") == "csv"
    header = [text(th) for th in browser.find_elements(By.CSS_SELECTOR, "table.csv thead th")]
    rows = [[text(td) for td in tr.find_elements(By.TAG_NAME, "td")] for tr in browser.find_elements(By.CSS_SELECTOR, "table.csv > tr, table.csv tbody tr")]
    seen = [dict(zip(header, row)) for row in rows]
    # csv-spectrum's JSON gives line ends inside fields as the file has them; an HTML page shows CR LF as a line
    # break like LF (the parser turns it into LF), so that is what a person sees.
    assert seen == [{k: v.replace("\r\n", "\n") for k, v in row.items()} for row in expected]


def test_wheel_listing(browser, daemon, bucket):
    wheel = glob.glob(os.path.join(ROOT, "usr/share/python-wheels/pip-*.whl"))[0]
    names = zipfile.ZipFile(wheel).namelist()
    show(browser, daemon, bucket, os.path.basename(wheel), wheel, shot="archive")
    about = browser.find_element(By.CSS_SELECTOR, "p.about")
    assert about.get_attribute("data-entries") == str(len(names))
    shown = [browser.execute_script("return arguments[0].firstChild.textContent", td)
             for td in browser.find_elements(By.CSS_SELECTOR, "table.archive td.name")]
    assert shown == names[:1000]
    assert [text(td) for td in browser.find_elements(By.CSS_SELECTOR, "table.archive td.packed")] == packed_ratios(wheel)


def packed_ratios(path):
    """What the listing's Packed column shows, as Python's zipfile reads the sizes."""
    ratios = []
    for info in zipfile.ZipFile(path).infolist()[:1000]:
        if info.is_dir() or info.file_size == 0:
            ratios.append("")
        else:
            tenths = int(info.compress_size / info.file_size * 1000 + 0.5)
            ratios.append(f"{tenths // 10}.{tenths % 10} %")
    return ratios


def test_zip64_listing_of_70000_entries(browser, daemon, bucket, tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n in range(70000):
            z.writestr(f"data/{n // 1000:03}/file-{n:05}.txt", f"entry {n} " * (n % 7 + 1))
    elapsed = show(browser, daemon, bucket, "many.zip", str(path), "application/zip")
    assert elapsed < 10
    assert browser.find_element(By.CSS_SELECTOR, "p.about").get_attribute("data-entries") == "70000"
    assert "The first 1000 are listed." in text(browser.find_element(By.CSS_SELECTOR, "p.about"))
    assert [text(td) for td in browser.find_elements(By.CSS_SELECTOR, "table.archive td.packed")] == packed_ratios(path)


def test_notebook_text(browser, daemon, bucket):
    path = os.path.join(NBCONVERT, "tests/exporters/files/notebook2.ipynb")
    notebook = json.load(open(path))
    show(browser, daemon, bucket, "notebook2.ipynb", path, shot="notebook")
    page = " ".join(text(browser.find_element(By.TAG_NAME, "main")).split())
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and source.strip():
            assert " ".join(source.split()) in page
    assert browser.find_elements(By.CSS_SELECTOR, ".cell.markdown h1, .cell.markdown h2")
    # The code was highlighted: Prism ran, under the page's policy.
    assert browser.find_elements(By.CSS_SELECTOR, ".cell.code code .token")


def code_cells(notebook):
    """The sources of a notebook's code cells, nbformat 4 or 3's (and 2's) first worksheet."""
    cells = notebook.get("cells") or (notebook.get("worksheets") or [{}])[0].get("cells", [])
    sources = [cell.get("source", cell.get("input", "")) for cell in cells if cell.get("cell_type") == "code"]
    return [" ".join(("".join(s) if isinstance(s, list) else s).split()) for s in sources]


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(NBFORMAT, "tests/*.ipynb"))), ids=os.path.basename)
def test_nbformat_notebooks(browser, daemon, bucket, path):
    elapsed = show(browser, daemon, bucket, "nbformat/" + os.path.basename(path), path)
    assert elapsed < 10
    kind = browser.find_element(By.TAG_NAME, "body").get_attribute("data-kind")
    if os.path.basename(path) in ("test4.ipynb", "test4.5.ipynb", "test3.ipynb", "test2.ipynb"):
        assert kind == "notebook"
    if kind == "notebook":
        page = " ".join(text(browser.find_element(By.TAG_NAME, "main")).split())
        for source in code_cells(json.load(open(path))):
            assert source in page
    else:
        assert text(browser.find_element(By.CSS_SELECTOR, "p.reason")).strip()


def test_markdown_readme(browser, daemon, bucket):
    path = os.path.join(ROOT, "usr/share/doc/node-prismjs/README.md")
    show(browser, daemon, bucket, "README.md", path, "text/markdown", shot="markdown")
    first = next(line for line in open(path) if line.startswith("#")).lstrip("#").strip()
    first = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", first)  # a link's text is what shows
    assert text(browser.find_element(By.CSS_SELECTOR, "article.markdown h1, article.markdown h2")).strip() == first
    assert browser.find_elements(By.CSS_SELECTOR, "article.markdown a")


def test_code_is_numbered_and_highlighted(browser, daemon, bucket):
    path = os.path.join(NBCONVERT, "nbconvert/exporters/html.py")
    show(browser, daemon, bucket, "html.py", path, shot="code")
    listing = browser.find_element(By.CSS_SELECTOR, ".listing")
    assert int(listing.get_attribute("data-lines")) == len(open(path).read().splitlines())
    assert len(browser.find_elements(By.CSS_SELECTOR, "code.language-python .token.keyword")) > 10
    assert text(browser.find_element(By.CSS_SELECTOR, "pre.code")) == open(path).read()


def test_image_inline(browser, daemon, bucket):
    path = os.path.join(ASSETS, "openseadragon/images/home_rest.png")
    show(browser, daemon, bucket, "home.png", path, "image/png", shot="image")
    image = browser.find_element(By.CSS_SELECTOR, "figure.image img")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 0


def test_json_tree(browser, daemon, bucket):
    path = os.path.join(NBCONVERT, "tests/exporters/files/notebook2.ipynb")
    show(browser, daemon, bucket, "notebook2.json", path, "application/json", shot="json")
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-kind") == "json"
    assert '"nbformat"' in text(browser.find_element(By.CSS_SELECTOR, ".json"))


def test_xml_real(browser, daemon, bucket):
    path = os.path.join(ROOT, "usr/share/mime/packages/freedesktop.org.xml")
    show(browser, daemon, bucket, "freedesktop.org.xml", path, "application/xml", shot="xml")
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-kind") == "xml"
    shown = text(browser.find_element(By.TAG_NAME, "main"))
    assert 'type="application/pdf"' in shown and "mime-info" in shown


def make_pdf(objects):
    """A PDF of the given objects (1 is the catalog), with a correct cross-reference table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + (body.encode("latin-1") if isinstance(body, str) else body) + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def blank_pdf(pages, box="0 0 612 792"):
    kids = " ".join(f"{n + 3} 0 R" for n in range(pages))
    return make_pdf(["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>"]
                    + [f"<< /Type /Page /Parent 2 0 R /MediaBox [{box}] >>"] * pages)


def pdf_pages_shown(browser):
    return int(browser.find_element(By.CSS_SELECTOR, "ol.pdf").get_attribute("data-pages"))


def loaded(browser, image):
    return browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 0


def test_pdf_every_page(browser, daemon, bucket):
    path = os.path.join(ROOT, "usr/share/doc/libtasn1-doc/libtasn1.pdf")
    show(browser, daemon, bucket, "libtasn1.pdf", path, "application/pdf")
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-kind") == "pdf"
    assert pdf_pages_shown(browser) == 36
    images = browser.find_elements(By.CSS_SELECTOR, "li.pdf-page img")
    assert len(images) == 36
    assert text(browser.find_elements(By.CSS_SELECTOR, "li.pdf-page .number")[0]) == "1 / 36"
    # Pages are drawn as the reader scrolls to them: the first at once, the last once scrolled to.
    deadline = time.monotonic() + 10
    while not loaded(browser, images[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert loaded(browser, images[0])
    browser.save_screenshot(os.path.join(SHOTS, "pdf.png"))
    browser.execute_script("arguments[0].scrollIntoView()", images[-1])
    deadline = time.monotonic() + 10
    while not loaded(browser, images[-1]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert loaded(browser, images[-1])
    browser.save_screenshot(os.path.join(SHOTS, "pdf-last-page.png"))


def pypdf_pages(path):
    """The page count PyPI's pypdf reads, or "password" for a PDF it cannot open without one, or None when pypdf
    itself cannot read it."""
    import pypdf
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            return "password"
        return len(reader.pages)
    except Exception:
        return None


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(PYPDF, "resources/**/*.pdf"), recursive=True)),
                         ids=lambda p: os.path.relpath(p, os.path.join(PYPDF, "resources")))
def test_pypdf_resources(browser, daemon, bucket, path):
    expected = pypdf_pages(path)
    elapsed = show(browser, daemon, bucket, "pypdf/" + os.path.relpath(path, PYPDF), path, "application/pdf")
    assert elapsed < 10
    if expected == "password":
        assert "password" in text(browser.find_element(By.CSS_SELECTOR, "p.reason"))
    elif expected is not None:
        assert pdf_pages_shown(browser) == expected
        first = browser.find_element(By.CSS_SELECTOR, "li.pdf-page img")
        deadline = time.monotonic() + 10
        while not loaded(browser, first) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert loaded(browser, first)
    else:
        assert browser.find_elements(By.CSS_SELECTOR, "ol.pdf, p.reason")


def gradient_png(width, height):
    """An RGB PNG of stripes, made here."""
    pattern = bytes(range(256)) * (3 * width // 256 + 2)
    raw = b"".join(b"\0" + pattern[(y * 7) % 256:(y * 7) % 256 + 3 * width] for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b"")


def test_deep_zoom_tiles(browser, daemon, bucket):
    link = daemon.put(bucket, "big.png", gradient_png(6000, 3000), "image/png")["links"]["preview"]
    ticket = link.split("ticket=")[1]
    browser.get(link)
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-kind") == "image"
    script = "var v = window.vellumViewer; return !!v && v.world.getItemCount() > 0 && v.world.getItemAt(0).getFullyLoaded()"
    deadline = time.monotonic() + 20
    while not browser.execute_script(script) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert browser.execute_script(script)
    browser.execute_script("window.vellumViewer.viewport.zoomTo(8, null, true)")
    time.sleep(0.5)
    deadline = time.monotonic() + 20
    while not browser.execute_script(script) and time.monotonic() < deadline:
        time.sleep(0.2)
    browser.save_screenshot(os.path.join(SHOTS, "deepzoom.png"))
    requested = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    tiles = [url for url in requested if "/iiif/" in url and url.endswith(".jpg")]
    assert any(url.endswith("/info.json") for url in requested)
    assert len({url.split("/iiif/")[1].split("/")[1] for url in tiles}) >= 2, tiles  # tiles of several sizes
    assert all(url.startswith(daemon.base + "/") for url in requested), requested  # no other host
    assert all(f"/preview/_t/{ticket}/iiif/" in url for url in tiles)


def sine_wav(seconds, rate=22050):
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        period = [int(8000 * ((i % 50) / 25 - 1)) for i in range(50)]
        w.writeframes(struct.pack(f"<{50}h", *period) * (seconds * rate // 50))
    return out.getvalue()


def vp8_webm(tmp_path, seconds=5, fps=10, width=320, height=240):
    """A WebM of moving stripes, encoded here by Debian's vpxenc (vpx-tools) from raw frames."""
    raw = tmp_path / "video.y4m"
    with open(raw, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for n in range(seconds * fps):
            f.write(b"FRAME\n" + bytes((x + n * 8) % 256 for x in range(width)) * height)
            f.write(bytes([128]) * (width * height // 4) + bytes([n * 20 % 256]) * (width * height // 4))
    subprocess.run(["vpxenc", "--codec=vp8", "--good", "--cpu-used=8", "-q", "-o", str(tmp_path / "video.webm"), str(raw)],
                   check=True, capture_output=True)
    return (tmp_path / "video.webm").read_bytes()


def test_video_plays_and_seeks(browser, daemon, bucket, tmp_path):
    show(browser, daemon, bucket, "clip.webm", vp8_webm(tmp_path), "video/webm")
    player = browser.find_element(By.CSS_SELECTOR, "video.player")
    deadline = time.monotonic() + 10
    while browser.execute_script("return arguments[0].readyState", player) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert abs(browser.execute_script("return arguments[0].duration", player) - 5) < 0.5
    assert browser.execute_script("return arguments[0].videoWidth", player) == 320
    browser.execute_script("arguments[0].currentTime = 4", player)
    deadline = time.monotonic() + 10
    while browser.execute_script("return arguments[0].seeking || arguments[0].readyState < 2", player) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert abs(browser.execute_script("return arguments[0].currentTime", player) - 4) < 0.5
    browser.save_screenshot(os.path.join(SHOTS, "video.png"))


def partial_answers(daemon):
    _, _, body = daemon.request("GET", "/metrics", token=None)
    total = 0
    for line in body.decode().splitlines():
        if line.startswith("vellum_http_requests_total") and 'status="206"' in line and "/preview/" in line:
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def test_audio_seeks_through_ranges(browser, daemon, bucket):
    before = partial_answers(daemon)
    show(browser, daemon, bucket, "tone.wav", sine_wav(60), "audio/wav", shot="audio")
    player = browser.find_element(By.CSS_SELECTOR, "audio.player")
    deadline = time.monotonic() + 10
    while browser.execute_script("return arguments[0].readyState", player) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert abs(browser.execute_script("return arguments[0].duration", player) - 60) < 0.5
    browser.execute_script("arguments[0].currentTime = 50", player)
    deadline = time.monotonic() + 10
    while browser.execute_script("return arguments[0].seeking || arguments[0].readyState < 2", player) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert abs(browser.execute_script("return arguments[0].currentTime", player) - 50) < 0.5
    assert browser.execute_script("return arguments[0].seekable.end(0)", player) > 59
    assert partial_answers(daemon) > before  # the player asked for ranges, and got them


# --- Hostile files ---------------------------------------------------------------------------------------------

def payload(port):
    return (f"<script>console.log('EXEC'+'UTED');document.documentElement.dataset.x='EXEC'+'UTED';"
            f"fetch('http://127.0.0.1:{port}/fetch')</script>"
            f"<img src=\"http://127.0.0.1:{port}/img\" onerror=\"console.log('EXEC'+'UTED')\">"
            f"<iframe src=\"http://127.0.0.1:{port}/frame\"></iframe>")


def hostile(port):
    p = payload(port)
    notebook = {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {"title": p},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": p + f"\n\n[x](javascript:console.log('EXEC'+'UTED'))"},
            {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "x",
             "outputs": [{"output_type": "display_data", "metadata": {},
                          "data": {"text/html": p, "application/javascript": "console.log('EXEC'+'UTED')",
                                   "image/svg+xml": f"<svg xmlns='http://www.w3.org/2000/svg'><script>console.log('EXEC'+'UTED')</script></svg>"}}]},
        ]}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../../etc/evil", "x")
        z.writestr("/absolute", "x")
        z.writestr(p, "x")
        z.writestr("same", "1")
        z.writestr("same", "2")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros", b"\0" * (50 << 20))
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'>"
           f"<script>console.log('EXEC'+'UTED')</script><foreignObject width='100' height='100'>"
           f"<body xmlns='http://www.w3.org/1999/xhtml'>{p}</body></foreignObject>"
           f"<image xlink:href='http://127.0.0.1:{port}/svgimage'/></svg>")
    xml = ("<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>"
           f"<!ENTITY e SYSTEM 'http://127.0.0.1:{port}/xxe'>"
           "<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
           "<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]><r>&x;&e;&d;</r>")
    return [
        ("evil.html", p, "text/html"),
        ("evil.svg", svg, "image/svg+xml"),
        ("evil.md", p + f"\n\n[click](javascript:console.log('EXEC'+'UTED'))\n\n![i](http://127.0.0.1:{port}/mdimg)\n", "text/markdown"),
        ("evil.ipynb", json.dumps(notebook), "application/json"),
        ("inject.ipynb", open(os.path.join(NBCONVERT, "tests/exporters/files/notebook_inject.ipynb")).read(), "application/json"),
        ("evil.json", json.dumps({p: p}), "application/json"),
        ("evil.csv", f"a,b\n{json.dumps(p)},=HYPERLINK(\"http://127.0.0.1:{port}/csv\")\n", "text/csv"),
        ("evil.zip", archive.getvalue(), "application/zip"),
        ("bomb.zip", bomb.getvalue(), "application/zip"),
        ("evil.xml", xml, "application/xml"),
        ("a<img src=x onerror=console.log(1)>.txt", p, "text/plain"),
        ("evil.pdf", hostile_pdf(port), "application/pdf"),
    ]


def hostile_pdf(port):
    """JavaScript run on opening (`/OpenAction`), a `javascript:` link, a launch action, and a Type 1 font whose
    `/FontMatrix` ends in a string that closes pdf.js's generated code (the CVE-2024-4367 technique)."""
    js = f"console.log('EXEC'+'UTED'); app.launchURL('http://127.0.0.1:{port}/pdf', true);"
    content = b"BT /F1 24 Tf 30 700 Td (Hello from a hostile PDF) Tj ET"
    return make_pdf([
        f"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS ({js}) >> >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>"
        f" /Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] /A << /S /URI /URI (javascript:console.log\\('EXEC'+'UTED'\\)) >> >>"
        " << /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /Launch /F (/bin/sh) >> >>] >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FontMatrix [1 2 3 4 5 (1\\); console.log\\('EXEC'+'UTED'\\)//)] >>",
    ])


def assert_inert(browser, canary, where):
    time.sleep(0.5)
    logs = " ".join(entry["message"] for entry in browser.get_log("browser"))
    assert MARK not in logs, f"{where}: script ran ({logs})"
    assert MARK not in browser.execute_script("return document.documentElement.outerHTML"), f"{where}: script ran"
    assert canary.hits == [], f"{where}: called out to {canary.hits}"
    assert "root:x:0:0" not in browser.execute_script("return document.documentElement.textContent"), f"{where}: local file shown"


def test_the_detectors_fire_on_an_unsafe_control_page(browser, canary):
    canary.control_page = payload(canary.port).encode()
    browser.get_log("browser")
    browser.get(f"http://127.0.0.1:{canary.port}/control")
    time.sleep(1)
    logs = " ".join(entry["message"] for entry in browser.get_log("browser"))
    assert MARK in logs
    assert browser.execute_script("return document.documentElement.dataset.x") == MARK
    assert "/fetch" in canary.hits and "/img" in canary.hits
    canary.hits.clear()


def test_hostile_files_never_run(browser, daemon, canary, bucket):
    canary.hits.clear()
    for key, content, content_type in hostile(canary.port):
        data = content.encode() if isinstance(content, str) else content
        elapsed = show(browser, daemon, bucket, "hostile/" + key, data, content_type,
                       shot="hostile-" + key.split(".")[-1] if key.startswith("evil") else None)
        assert elapsed < 10, key
        assert_inert(browser, canary, key)
    # What the page shows of them: flags, not effects.
    show(browser, daemon, bucket, "hostile/evil2.zip", hostile(canary.port)[7][1], "application/zip")
    warnings = " ".join(text(p) for p in browser.find_elements(By.CSS_SELECTOR, "p.warning"))
    assert "outside the folder" in warnings and "repeat" in warnings
    show(browser, daemon, bucket, "hostile/bomb2.zip", hostile(canary.port)[8][1], "application/zip")
    assert "decompression bomb" in " ".join(text(p) for p in browser.find_elements(By.CSS_SELECTOR, "p.warning"))


# --- Damaged files ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key,data", [
    ("truncated.ipynb", b'{"cells": [{"cell_type": "code", "source": "x'),
    ("invalid.json", b'{"a": [1, 2, }'),
    ("corrupt.zip", b"PK\x03\x04" + b"\xff" * 4000),
    ("corrupt.tar.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 100),
    ("deep.json", b"[" * 100000),
    ("truncated.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R"),
    ("garbage.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 64),
])
def test_damaged_files_say_why_within_ten_seconds(browser, daemon, bucket, key, data):
    elapsed = show(browser, daemon, bucket, "damaged/" + key, data, shot="damaged" if key == "invalid.json" else None)
    assert elapsed < 10
    assert "cannot be previewed" in text(browser.find_element(By.TAG_NAME, "h1"))
    assert text(browser.find_element(By.CSS_SELECTOR, "p.reason")).strip()
    assert daemon.healthy()


@pytest.mark.parametrize("key,data,pages", [
    ("ten-thousand-pages.pdf", blank_pdf(10000), 10000),
    ("huge-page.pdf", blank_pdf(1, box="0 0 14400 14400"), 1),
    ("broken-stream.pdf", make_pdf([
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length 999999 /Filter /FlateDecode >>\nstream\n" + bytes(range(200)) + b"\nendstream"]), 1),
])
def test_hostile_pdfs_get_pages_within_ten_seconds(browser, daemon, bucket, key, data, pages):
    elapsed = show(browser, daemon, bucket, "hostile/" + key, data, "application/pdf")
    assert elapsed < 10
    assert pdf_pages_shown(browser) == pages
    assert len(browser.find_elements(By.CSS_SELECTOR, "li.pdf-page")) == min(pages, 500)
    first = browser.find_element(By.CSS_SELECTOR, "li.pdf-page img")
    deadline = time.monotonic() + 10
    while not browser.execute_script("return arguments[0].complete", first) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert browser.execute_script("return arguments[0].complete", first)  # drawn, or refused: never hanging
    assert daemon.healthy()

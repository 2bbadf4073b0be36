#!/usr/bin/env bash
# Installs the third-party browser assets of preview pages into a folder (default ./var/preview-assets, the daemon's
# `{data_dir}/preview-assets`; or $1), from pinned Debian and PyPI packages whose SHA-256 is checked before anything
# is unpacked: Prism 1.29.0 (Debian node-prismjs) for code colours, OpenSeadragon 6.1.1 (the PyPI sdist of
# openslide-python 1.4.7) for deep zoom. Idempotent; nothing here is committed to the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST="${1:-${VELLUM_PREVIEW_ASSETS:-var/preview-assets}}"
STAMP="$DEST/.installed-v1"
[ -f "$STAMP" ] && exit 0
PRISM_DEB=node-prismjs_1.29.0+dfsg+~1.26.0-1_all.deb
PRISM_SHA256=66365f7e694f28ae4db54f0c20717ed72c60f3f1c08d21a2cc287ad22ebae74a
OSD_SDIST=openslide_python-1.4.7.tar.gz
OSD_SHA256=730fed798de683b00c8ef4d956f3d429cc02f2c449eb0d58944e1769ba7983cc
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fetch_deb() { apt-get download -q "$@" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get download -q "$@" >/dev/null; }; }
(cd "$WORK" && fetch_deb "node-prismjs=1.29.0+dfsg+~1.26.0-1" \
  && pip download -q --no-deps --no-binary :all: "openslide-python==1.4.7" -d . >/dev/null)
echo "$PRISM_SHA256  $WORK/$PRISM_DEB" | sha256sum -c --quiet
echo "$OSD_SHA256  $WORK/$OSD_SDIST" | sha256sum -c --quiet
dpkg-deb -x "$WORK/$PRISM_DEB" "$WORK/prism"
tar -xzf "$WORK/$OSD_SDIST" -C "$WORK"
rm -rf "$DEST/prism" "$DEST/openseadragon"
mkdir -p "$DEST/prism/components" "$DEST/prism/themes" "$DEST/openseadragon/images"
P="$WORK/prism/usr/share/nodejs/prismjs"
cp "$P/prism.js" "$DEST/prism/"
cp "$P"/components/prism-*.min.js "$DEST/prism/components/"
cp "$P/themes/prism.min.css" "$DEST/prism/themes/"
cp "$WORK/prism/usr/share/doc/node-prismjs/copyright" "$DEST/prism/LICENSE"
S="$WORK/openslide_python-1.4.7/examples/deepzoom"
cp "$S/static/openseadragon.js" "$DEST/openseadragon/"
cp "$S"/static/images/*.png "$DEST/openseadragon/images/"
cp "$S/licenses/LICENSE.openseadragon" "$DEST/openseadragon/LICENSE"
touch "$STAMP"
echo "preview assets installed in $DEST"

#!/usr/bin/env bash
# Fetches the IIIF page tests' real PDF once, checked by SHA-256, and prints its path (VELLUM_TEST_PDF): the GNU
# Libtasn1 manual from Debian's libtasn1-doc 4.19.0-2+deb12u1, 36 US-letter pages.
set -euo pipefail
DIR="${VELLUM_TEST_PDF_DIR:-/tmp/vellum-test-pdf}"
PDF="$DIR/root/usr/share/doc/libtasn1-doc/libtasn1.pdf"
if [ ! -f "$PDF" ]; then
  rm -rf "$DIR"; mkdir -p "$DIR"
  (cd "$DIR" && { apt-get download -q libtasn1-doc=4.19.0-2+deb12u1 >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get download -q libtasn1-doc=4.19.0-2+deb12u1 >/dev/null; }; })
  (cd "$DIR" && sha256sum --check --quiet >&2) <<'SUMS'
ce109d7f7611b24d03e41b831eab01c3c7fb1a55b8d8b4350ed24383c0c8dfda  libtasn1-doc_4.19.0-2+deb12u1_all.deb
SUMS
  dpkg-deb -x "$DIR"/libtasn1-doc_*.deb "$DIR/root"
fi
echo "$PDF"

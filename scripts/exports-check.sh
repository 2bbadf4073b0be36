#!/usr/bin/env bash
# Prepares the outside readers of Vellum's record exports in a virtual environment kept between runs, and prints the
# path of its Python (tests run scripts/exports_check.py with it: VELLUM_EXPORTS_PYTHON). From PyPI, pinned:
# DataCite's own `datacite` 1.4.1 (its JSON Schema 4.5, and its JSON-to-XML writer; the wheel checked by SHA-256),
# jsonschema, lxml, citeproc-py (CSL), pybtex (BibTeX) and rdflib (JSON-LD).
set -euo pipefail
ENV="${VELLUM_EXPORTS_ENV:-/tmp/vellum-exports-env}"
if ! "$ENV/bin/python" -c 'import datacite, citeproc, pybtex, rdflib, lxml; import importlib.metadata as m; assert m.version("datacite") == "1.4.1"' 2>/dev/null; then
  if ! dpkg -s python3-venv >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q python3-venv >&2
  fi
  rm -rf "$ENV"
  python3 -m venv "$ENV"
  mkdir -p "$ENV/wheels"
  "$ENV/bin/pip" download -q --no-deps --only-binary :all: -d "$ENV/wheels" datacite==1.4.1 >&2
  (cd "$ENV/wheels" && sha256sum --check --quiet >&2) <<'SUMS'
782ca32fe423c66bc74d7b4ee39cb22190c128e1e61a188becda12fd6f91d23b  datacite-1.4.1-py3-none-any.whl
SUMS
  "$ENV/bin/pip" install -q "$ENV/wheels/datacite-1.4.1-py3-none-any.whl" jsonschema==4.26.0 lxml==6.2.0 \
    citeproc-py==0.11.1 pybtex==0.26.1 rdflib==7.6.0 idutils==1.7.1 jsonresolver==0.5.2 requests==2.34.2 >&2
fi
echo "$ENV/bin/python"

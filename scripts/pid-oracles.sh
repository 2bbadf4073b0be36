#!/usr/bin/env bash
# Prepares the outside readers the PID tests use, in one virtual environment kept between runs, and prints the path
# of its Python (VELLUM_PID_PYTHON): DataCite's own `datacite` 1.4.1 (its JSON Schema 4.5 and its JSON-to-XML writer,
# which the DataCite stand-in and scripts/exports_check.py use) and `signposting` 0.9.9 (scripts/signposting_check.py),
# both wheels checked by SHA-256, with jsonschema, lxml, citeproc-py (CSL), pybtex (BibTeX), rdflib (JSON-LD) and
# their dependencies pinned by version.
set -euo pipefail
ENV="${VELLUM_PID_ENV:-/tmp/vellum-pid-oracles}"
if ! "$ENV/bin/python" -c 'import citeproc, pybtex, rdflib, lxml, signposting; import importlib.metadata as m; assert m.version("datacite") == "1.4.1" and signposting.__version__ == "0.9.9"' 2>/dev/null; then
  if ! dpkg -s python3-venv >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q python3-venv >&2
  fi
  rm -rf "$ENV"
  python3 -m venv "$ENV"
  mkdir -p "$ENV/wheels"
  "$ENV/bin/pip" download -q --no-deps --only-binary :all: -d "$ENV/wheels" datacite==1.4.1 signposting==0.9.9 >&2
  (cd "$ENV/wheels" && sha256sum --check --quiet >&2) <<'SUMS'
782ca32fe423c66bc74d7b4ee39cb22190c128e1e61a188becda12fd6f91d23b  datacite-1.4.1-py3-none-any.whl
8e9575ddbac52a0acbec9aeaf83edeadb3a4ff512f4563ec8903f7616a38eaaa  signposting-0.9.9-py3-none-any.whl
SUMS
  "$ENV/bin/pip" install -q "$ENV"/wheels/*.whl jsonschema==4.26.0 lxml==6.2.0 citeproc-py==0.11.1 pybtex==0.26.1 \
    rdflib==7.6.0 idutils==1.7.1 jsonresolver==0.5.2 requests==2.34.2 httplink==0.2.0 rfc3987==1.3.8 \
    beautifulsoup4==4.15.0 soupsieve==4.1.4 urllib3==2.8.0 idna==3.20 certifi==2026.10.19.post1 \
    charset-normalizer==3.5.3 typing-extensions==4.16.0 >&2
fi
echo "$ENV/bin/python"

#!/usr/bin/env bash
# Prepares the search tests' outside parts in one virtual environment kept between runs, and prints the path of its
# Python (VELLUM_SEARCH_PYTHON): PyPI's tantivy 0.27.0 (the BM25 ranking SearchCorpusTests compares with,
# scripts/tantivy_rank.py) and osmem-server 0.1.6 (an OpenSearch stand-in, $ENV/bin/osmem-server), wheels checked
# by SHA-256.
set -euo pipefail
ENV="${VELLUM_SEARCH_ENV:-/tmp/vellum-search-oracles}"
if ! "$ENV/bin/python" -c 'import importlib.metadata as m; assert m.version("tantivy") == "0.27.0" and m.version("osmem-server") == "0.1.6"' 2>/dev/null; then
  rm -rf "$ENV"
  python3 -m venv "$ENV"
  mkdir -p "$ENV/wheels"
  "$ENV/bin/pip" download -q --no-deps --only-binary :all: -d "$ENV/wheels" tantivy==0.27.0 osmem-server==0.1.6 >&2
  (cd "$ENV/wheels" && sha256sum --check --quiet >&2) <<'SUMS'
2d5d5ac2f16038b7ea4cfc10839d20dbec87b5a96076b0984b493e410c1a8415  tantivy-0.27.0-cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
24c862de01ab1c6dd1564284933fdc4f774494a41e071676914f86d82fdbef40  osmem_server-0.1.6-py3-none-manylinux_2_17_x86_64.whl
SUMS
  "$ENV/bin/pip" install -q --no-deps "$ENV"/wheels/*.whl >&2
fi
echo "$ENV/bin/python"

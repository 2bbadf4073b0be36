#!/usr/bin/env bash
# Release-mode benchmark of records (api.md §7) against Invenio's records REST API on the same machine, back to
# back (benchmarks/peers/invenio-records-rest: invenio-records-rest 6.0.2 on SQLite, gunicorn with 2 workers):
#   - create, get, PATCH and publish rates with 8 clients over 1,000 records, by the same Python client for both
#     (recordbench.py; with --vellum for Vellum). Invenio has no drafts: its fourth phase is a whole PUT with
#     If-Match (strict validation, a new revision); Vellum's is the real publish (strict validation, the bucket
#     locked, the concept's latest version). Ratios are Vellum / Invenio.
#   - publishing the 100th version of a record with 1,000 files against the first (record_versions.py).
# RUNS (3) runs of each; medians. Figures in $OUT/raw.txt and the peer's in $PEER_OUT/results.txt.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source scripts/setup.sh
OUT="${OUT_DIR:-/tmp/vellum-bench-records}"
PEER_OUT="${PEER_OUT_DIR:-/tmp/invenio-records-peer}"
RUNS="${RUNS:-3}"
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/raw.txt"
source benchmarks/lib.sh
build_release

# The peer first: it makes the virtualenv (requests) the client runs in.
RUNS="$RUNS" OUT_DIR="$PEER_OUT" benchmarks/peers/invenio-records-rest/run.sh >&2
for run in $(seq 1 "$RUNS"); do
  start_server
  "$PEER_OUT/.venv/bin/python" benchmarks/peers/invenio-records-rest/recordbench.py "$BASE" --vellum "$TOKEN" \
    | grep -v '^#' | tee -a "$OUT/raw.txt"
  python3 benchmarks/record_versions.py "$BASE" "$TOKEN" 100 1000 | tee -a "$OUT/raw.txt"
  stop_server
done

echo "== medians of $RUNS runs (Vellum)"
medians | tee "$OUT/results.txt"
echo "== Vellum / Invenio"
python3 - "$OUT/results.txt" "$PEER_OUT/results.txt" <<'PY'
import re, sys
def read(path):
    return {m[1]: float(m[2]) for m in re.finditer(r"^(\S+): ([0-9.]+)", open(path).read(), re.M)}
vellum, invenio = read(sys.argv[1]), read(sys.argv[2])
for op, peer_op in [("create", "create"), ("get", "get"), ("patch", "patch"), ("publish", "put")]:
    v, i = vellum.get(f"records_{op}_1000_c8_rate"), invenio.get(f"records_{peer_op}_1000_c8_rate")
    if v and i:
        print(f"records_{op}_rate_over_invenio_{peer_op}: {v / i:.1f} x  (Vellum {v:g}/s, Invenio {i:g}/s)")
PY

#!/usr/bin/env bash
# Release-mode benchmark of DOI registration against the DataCite stand-in (scripts/datacite_standin.py, on the
# same machine; it validates every body with DataCite's JSON Schema 4.5, so its own time is in the figures):
#   - doi_publish_to_registered_p50/p99: LATENCY (20) records published one at a time (files.enabled false), each
#     timed from the publish's answer until the record says its DOI is registered (polled every 5 ms);
#   - dois_registered_per_second: COUNT (300) records published by 8 clients at once (two DOIs each: the version's
#     and its concept's), from the first publish until the worker has registered every DOI;
#   - publish_rate_with_dois: the records published per second meanwhile (publishing never waits for DataCite).
# RUNS (3) runs, medians at the end. VELLUM_BIN as in lib.sh.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source scripts/setup.sh
RUNS="${RUNS:-3}"
OUT="${OUT_DIR:-/tmp/vellum-bench-dois}"
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/raw.txt"
source benchmarks/lib.sh
build_release
PY="$(scripts/pid-oracles.sh)"

for run in $(seq 1 "$RUNS"); do
  echo "# run $run of $RUNS" >&2
  port=$(free_port)
  "$PY" scripts/datacite_standin.py --port "$port" --username BENCH --password bench-secret --prefix 10.5072 &
  STANDIN=$!
  export VELLUM_DOI_PREFIX=10.5072 VELLUM_DATACITE_URL="http://127.0.0.1:$port" VELLUM_DATACITE_USERNAME=BENCH \
    VELLUM_DATACITE_PASSWORD=bench-secret VELLUM_PUBLISHER="Vellum Benchmark"
  start_server
  python3 benchmarks/doi_bench.py "$BASE" "$TOKEN" --latency "${LATENCY:-20}" --count "${COUNT:-300}" \
    | while read -r name value unit; do emit "${name%:}" "$value" "$unit"; done
  stop_server
  kill "$STANDIN"; wait "$STANDIN" 2>/dev/null || true
done
echo "=== medians of $RUNS runs ==="
medians | tee "$OUT/medians.txt"

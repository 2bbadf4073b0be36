#!/usr/bin/env bash
# Release-mode fixity benchmark on local disk. Prints `name: value unit` lines:
#   - large files: `vellum fixity run` over LARGE_COUNT copies of the 1 GiB input (MD5 and SHA-256 of every byte),
#     page cache dropped first, as MB/s and as a ratio to `openssl dgst -md5` over the 1 GiB input (one core,
#     page cache warm) in the same run;
#   - small files: `vellum fixity run` over SMALL_COUNT files of 4 KiB (uploaded with vellum-bench), page cache
#     dropped first, as files/s;
#   - with PEER_RESULTS (a results.txt of ../shared/peers/invenio-files-rest/run.sh, e.g. from benchmarks/run.sh's
#     PEER=1 in the same session), both as ratios to Invenio's `verify_checksum` figures.
# Env: RUNS (3: medians), SMALL_COUNT (100000), LARGE_COUNT (2), INPUT_DIR (/tmp/invenio-bench-input).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
RUNS="${RUNS:-3}"
SMALL_COUNT="${SMALL_COUNT:-100000}"
LARGE_COUNT="${LARGE_COUNT:-2}"
OUT="${OUT_DIR:-/tmp/vellum-bench-fixity}"
mkdir -p "$OUT"
: > "$OUT/raw.txt"

source benchmarks/lib.sh
build_release
big_input

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || echo "# could not drop the page cache" >&2; }

# `vellum fixity run --bucket $1` on the stopped daemon's data; prints the seconds it took.
timed_run() {
  local t0 t1
  t0=$(now)
  VELLUM_DATA_DIR="$DATA" VELLUM_LOG_LEVEL=warning "$BIN" fixity run --bucket "$1" > "$OUT/run.txt"
  t1=$(now)
  calc "$t1 - $t0" 3
}

one_run() {
  start_server
  local large small
  large=$(mkbucket)
  for i in $(seq 1 "$LARGE_COUNT"); do
    curl -sf -o /dev/null -X PUT -T "$BIG" -H "Authorization: Bearer $TOKEN" "$BASE/files/$large/big-$i.bin"
  done
  small=$(mkbucket)
  VELLUM_BENCH_PHASES=put "$BENCH" "$BASE" "$TOKEN" "$small" "$SMALL_COUNT" 4096 8 >/dev/null
  stop_server  # nothing else reads the disk while the runs are timed

  cat "$BIG" > /dev/null
  local t0 t1 md5_rate secs
  t0=$(now); openssl dgst -md5 "$BIG" > /dev/null; t1=$(now)
  md5_rate=$(calc "$BIG_SIZE / ($t1 - $t0) / 1e6" 1)
  emit openssl_md5 "$md5_rate" MB/s

  drop_caches
  secs=$(timed_run "$large")
  local large_rate; large_rate=$(calc "$LARGE_COUNT * $BIG_SIZE / $secs / 1e6" 1)
  emit fixity_large_${LARGE_COUNT}x1GiB "$large_rate" MB/s
  emit fixity_large_over_md5 "$(calc "$large_rate / $md5_rate")" ratio

  drop_caches
  secs=$(timed_run "$small")
  emit fixity_small_${SMALL_COUNT}x4KiB "$(calc "$SMALL_COUNT / $secs" 1)" files/s
}

for r in $(seq 1 "$RUNS"); do
  echo "=== run $r/$RUNS ===" >&2
  one_run
done

medians > "$OUT/results.txt"
echo "=== Vellum fixity medians of $RUNS runs ($OUT/results.txt) ==="
cat "$OUT/results.txt"

if [ -n "${PEER_RESULTS:-}" ]; then
  echo "=== ratios to invenio-files-rest's verify_checksum ($PEER_RESULTS) ==="
  python3 benchmarks/ratios.py "$OUT/results.txt" "$PEER_RESULTS" \
    "large files (MB/s)|fixity_large,GiB|fixity_big,throughput|higher" \
    "small files (files/s)|fixity_small|fixity_small,files_per_s|higher"
fi

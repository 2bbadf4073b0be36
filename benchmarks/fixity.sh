#!/usr/bin/env bash
# Release-mode fixity benchmark on local disk. Prints `name: value unit` lines:
#   - large files: `vellum fixity run` over each set of LARGE_SETS (COUNTxMiB: COUNT files of MiB MiB, slices of the
#     1 GiB input at different offsets; MD5 and SHA-256 of every byte), page cache dropped first, as MB/s and as a
#     ratio to `openssl dgst -md5` over the 1 GiB input (one core, page cache warm) in the same run. The default
#     sets are 2 files of 1 GiB (hashing two files at once) and 16 of 128 MiB (a store of large files: Vellum
#     verifies 8 large files per core at once, their MD5s side by side in vector lanes);
#   - small files: `vellum fixity run` over SMALL_COUNT files of 4 KiB (uploaded with vellum-bench), page cache
#     dropped first, as files/s;
#   - with PEER_RESULTS (a results.txt of ../shared/peers/invenio-files-rest/run.sh, e.g. from benchmarks/run.sh's
#     PEER=1 in the same session), both as ratios to Invenio's `verify_checksum` figures.
# Env: RUNS (3: medians), SMALL_COUNT (100000), LARGE_SETS ("2x1024 16x128"), INPUT_DIR (/tmp/invenio-bench-input).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
RUNS="${RUNS:-3}"
SMALL_COUNT="${SMALL_COUNT:-100000}"
LARGE_SETS="${LARGE_SETS:-2x1024 16x128}"
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
  local set count mib bucket i
  declare -A large
  for set in $LARGE_SETS; do
    count=${set%x*} mib=${set#*x} bucket=$(mkbucket)
    large[$set]=$bucket
    for i in $(seq 1 "$count"); do
      dd if="$BIG" bs=1M skip=$(( (i * 61) % (1024 - mib + 1) )) count="$mib" status=none |
        curl -sf -o /dev/null -X PUT -T - -H "Authorization: Bearer $TOKEN" "$BASE/files/$bucket/big-$i.bin"
    done
  done
  local small; small=$(mkbucket)
  VELLUM_BENCH_PHASES=put "$BENCH" "$BASE" "$TOKEN" "$small" "$SMALL_COUNT" 4096 8 >/dev/null
  stop_server  # nothing else reads the disk while the runs are timed

  cat "$BIG" > /dev/null
  local t0 t1 md5_rate secs rate
  t0=$(now); openssl dgst -md5 "$BIG" > /dev/null; t1=$(now)
  md5_rate=$(calc "$BIG_SIZE / ($t1 - $t0) / 1e6" 1)
  emit openssl_md5 "$md5_rate" MB/s

  for set in $LARGE_SETS; do
    count=${set%x*} mib=${set#*x}
    drop_caches
    secs=$(timed_run "${large[$set]}")
    rate=$(calc "$count * $mib * 1048576 / $secs / 1e6" 1)
    emit "fixity_large_${count}x${mib}MiB" "$rate" MB/s
    emit "fixity_large_${count}x${mib}MiB_over_md5" "$(calc "$rate / $md5_rate")" ratio
  done

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
  rows=()
  for set in $LARGE_SETS; do rows+=("large files, ${set} MiB (MB/s)|fixity_large_${set}MiB|fixity_big,throughput|higher"); done
  python3 benchmarks/ratios.py "$OUT/results.txt" "$PEER_RESULTS" "${rows[@]}" \
    "small files (files/s)|fixity_small|fixity_small,files_per_s|higher"
fi

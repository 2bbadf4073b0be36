#!/usr/bin/env bash
# Release-mode benchmarks of Vellum on 127.0.0.1. Prints `name: value unit` lines and ratios against references
# measured in the same run:
#   - 1 GiB upload and download with curl, each divided by `openssl dgst -md5` throughput on the same file;
#   - the server's peak RSS (VmHWM) over the upload and the download;
#   - 4 KiB PUT and GET rates with 8 concurrent clients (GETs: the median of 5 passes; every acknowledged PUT is
#     fsynced: bytes, directory and metadata commit), and listing a 2,000-object bucket page by page;
#   - with PEER=1, the Python reference (../shared/peers/invenio-files-rest/run.sh) right after, and each figure
#     as a ratio to Invenio's.
# Env: RUNS (3: medians), PEER (1), INPUT_DIR (/tmp/invenio-bench-input, shared with the peer's 1 GiB file).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
RUNS="${RUNS:-3}"
PEER="${PEER:-1}"
OUT="${OUT_DIR:-/tmp/vellum-bench}"
mkdir -p "$OUT"
RESULTS="$OUT/results.txt"
: > "$OUT/raw.txt"

source benchmarks/lib.sh
build_release
big_input

one_run() {
  # Reference: MD5 throughput of the same file, page cache warm (as the peer measures it).
  cat "$BIG" > /dev/null
  local t0 t1
  t0=$(date +%s.%N); openssl dgst -md5 "$BIG" > /dev/null; t1=$(date +%s.%N)
  local md5_rate; md5_rate=$(calc "$BIG_SIZE / ($t1 - $t0) / 1e6" 1)
  emit openssl_md5 "$md5_rate" MB/s

  start_server
  local bucket; bucket=$(mkbucket)
  local up; up=$(curl -s -o "$OUT/put.json" -w '%{http_code} %{time_total}' -X PUT -T "$BIG" \
      -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/octet-stream" "$BASE/files/$bucket/big.bin")
  [ "${up%% *}" = 200 ] || { echo "upload failed: $up $(cat "$OUT/put.json")" >&2; exit 1; }
  local up_rate; up_rate=$(calc "$BIG_SIZE / ${up#* } / 1e6" 1)
  emit upload_1GiB "$up_rate" MB/s
  emit upload_over_md5 "$(calc "$up_rate / $md5_rate")" ratio

  local down; down=$(curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
      -H "Authorization: Bearer $TOKEN" "$BASE/files/$bucket/big.bin")
  set -- $down
  [ "$1" = 200 ] && [ "$3" = "$BIG_SIZE" ] || { echo "download failed: $down" >&2; exit 1; }
  local down_rate; down_rate=$(calc "$BIG_SIZE / $2 / 1e6" 1)
  emit download_1GiB "$down_rate" MB/s
  emit download_over_md5 "$(calc "$down_rate / $md5_rate")" ratio
  emit server_peak_rss_1GiB_roundtrip "$(awk '/VmHWM/{printf "%.1f", $2/1024}' /proc/$SERVER_PID/status)" MiB

  local small; small=$(mkbucket)
  "$BENCH" "$BASE" "$TOKEN" "$small" 2000 4096 8 20 | tee -a "$OUT/raw.txt"
  stop_server
}

for r in $(seq 1 "$RUNS"); do
  echo "=== run $r/$RUNS ===" >&2
  one_run
done

medians > "$RESULTS"
echo "=== Vellum medians of $RUNS runs ($RESULTS) ==="
cat "$RESULTS"

if [ "$PEER" = 1 ]; then
  PEER_OUT="$OUT/peer"
  RUNS="$RUNS" PROBES=0 OUT_DIR="$PEER_OUT" INPUT_DIR="$INPUT_DIR" ../shared/peers/invenio-files-rest/run.sh >&2
  echo "=== ratios to invenio-files-rest, same machine, back to back ==="
  python3 benchmarks/ratios.py "$RESULTS" "$PEER_OUT/results.txt" \
    "upload 1 GiB (MB/s)|upload_1GiB|upload_1GiB_throughput|higher" \
    "download 1 GiB (MB/s)|download_1GiB|download_1GiB_throughput|higher" \
    "small PUT 4 KiB c8 (objects/s)|small_put,rate|small_put,rate|higher" \
    "small GET 4 KiB c8 (objects/s)|small_get,rate|small_get,rate|higher" \
    "list 2000 objects (ms, lower is better)|list_2000_all_pages_median|list_2000_median|lower"
fi

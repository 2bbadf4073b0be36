#!/usr/bin/env bash
# Release-mode benchmark of a multipart upload on 127.0.0.1: a 2 GiB file sent as 32 parts of 64 MiB, 4 at a time
# and roughly in order (curl, one process per part), then completed. Prints the upload MB/s (init to last part),
# the completion latency, and that latency divided by the time `openssl dgst -md5` takes over the same file in the
# same run (target <= 0.25: the whole-file digests are computed while the parts arrive).
# Env: RUNS (3: medians), INPUT_DIR (/tmp/invenio-bench-input), OUT_DIR (/tmp/vellum-bench-multipart).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
RUNS="${RUNS:-3}"
INPUT_DIR="${INPUT_DIR:-/tmp/invenio-bench-input}"
BIG="$INPUT_DIR/big-2GiB.bin"
SIZE=$((2 << 30)); PART=$((64 << 20)); PARTS=$((SIZE / PART))
OUT="${OUT_DIR:-/tmp/vellum-bench-multipart}"
mkdir -p "$INPUT_DIR" "$OUT"
: > "$OUT/raw.txt"

swift build -c release --product vellum >&2
BIN=.build/release/vellum
if [ ! -f "$BIG" ] || [ "$(stat -c %s "$BIG")" != "$SIZE" ]; then
  echo "# generating $BIG" >&2
  head -c "$SIZE" /dev/urandom > "$BIG"
fi

calc() { python3 -c "print(f'{($1):.${2:-2}f}')"; }
emit() { echo "$1: $2 $3" | tee -a "$OUT/raw.txt"; }
now() { date +%s.%N; }

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; fi
  SERVER_PID=""
}
trap stop_server EXIT

one_run() {
  cat "$BIG" > /dev/null
  local t0 t1; t0=$(now); openssl dgst -md5 "$BIG" > /dev/null; t1=$(now)
  local md5_seconds; md5_seconds=$(calc "$t1 - $t0" 3)
  emit openssl_md5_2GiB_seconds "$md5_seconds" s

  local data="$OUT/data"; rm -rf "$data"; mkdir -p "$data"
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  BASE="http://127.0.0.1:$port"; TOKEN="bench-$RANDOM$RANDOM"
  VELLUM_DATA_DIR="$data" VELLUM_PORT="$port" VELLUM_BOOTSTRAP_TOKEN="$TOKEN" VELLUM_LOG_LEVEL=warning "$BIN" serve \
    2>>"$OUT/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do curl -sf "$BASE/health" >/dev/null 2>&1 && break; sleep 0.05; done
  local auth="Authorization: Bearer $TOKEN"
  local bucket; bucket=$(curl -sf -X POST -H "$auth" "$BASE/files" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  local url="$BASE/files/$bucket/big.bin"

  t0=$(now)
  local upload; upload=$(curl -sf -X POST -H "$auth" "$url?uploads&size=$SIZE&partSize=$PART" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  export BIG PART url upload auth
  seq 0 $((PARTS - 1)) | xargs -P 4 -I{} sh -c \
    'dd if="$BIG" bs="$PART" skip={} count=1 iflag=fullblock status=none \
       | curl -sf -o /dev/null -X PUT -H "$auth" -H "Content-Type: application/octet-stream" --data-binary @- \
         "$url?uploadId=$upload&partNumber={}"'
  t1=$(now)
  emit multipart_upload_2GiB_4x64MiB "$(calc "$SIZE / ($t1 - $t0) / 1e6" 1)" MB/s
  local done; done=$(curl -s -o "$OUT/complete.json" -w '%{http_code} %{time_total}' -X POST -H "$auth" "$url?uploadId=$upload")
  [ "${done%% *}" = 200 ] || { echo "completion failed: $done $(cat "$OUT/complete.json")" >&2; exit 1; }
  emit multipart_complete_seconds "$(calc "${done#* }" 3)" s
  emit multipart_complete_over_md5_time "$(calc "${done#* } / $md5_seconds" 3)" ratio
  local md5; md5=$(curl -sf -H "$auth" "$BASE/files/$bucket?size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["contents"][0]["checksum"])')
  [ "$md5" = "md5:$(md5sum < "$BIG" | cut -d' ' -f1)" ] || { echo "checksum mismatch: $md5" >&2; exit 1; }
  stop_server
}

for r in $(seq 1 "$RUNS"); do echo "=== run $r/$RUNS ===" >&2; one_run; done
python3 - "$OUT/raw.txt" <<'PY'
import statistics, sys
values = {}
for line in open(sys.argv[1]):
    name, rest = line.split(":", 1)
    value, unit = rest.split()
    values.setdefault(name, ([], unit))[0].append(float(value))
print("=== medians ===")
for name, (vals, unit) in values.items():
    print(f"{name}: {statistics.median(vals):g} {unit}  (runs: {', '.join(f'{v:g}' for v in vals)})")
PY

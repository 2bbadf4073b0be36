#!/usr/bin/env bash
# Release-mode IIIF benchmark: Vellum against IIPImage (Debian's iipimage-server 1.1 behind lighttpd) on the same
# 10000x8000 JPEG, with the peer's own load tool and scenarios (../shared/peers/iiif: tools/bench.lua for wrk,
# tools/gen_tiles.py for the viewer-style tile mix), back to back on this machine.
#   - Vellum: the image uploaded to a public bucket; its pyramid (built by the daemon, the same tiled JPEG TIFF the
#     peer serves) waited for; then wrk at each of CONCS connections for DUR seconds per scenario: info.json, a fixed
#     full-resolution 256-px tile, 500 tiles over all zoom levels picked at random, and `full/!512,512`; with the
#     response cache (default), without it (VELLUM_IIIF_CACHE_MB=0), and without it with the image and its pyramid
#     in an S3 location on moto (scripts/moto.sh, this machine: `s3`, served from the daemon's local copy of the
#     pyramid; `s3_first_info_ms` is the first info.json, which makes that copy; `s3_ranged_get_ms` what a tile read
#     from the pyramid in S3 by a ranged GET would cost instead). The daemon's peak RSS of the setup (upload, pyramid
#     build), then, reset, of the serving alone (`serving_peak_rss`, compared with iipsrv's).
#   - with PEER=1, ../shared/peers/iiif/run.sh right after (from a copy whose test.tif is the pyramid Vellum built,
#     so both serve the same pyramid TIFF), for iipsrv with its cache and without (CONFIGS="iipsrv iipsrv-nocache",
#     same scenarios), then ratios: Vellum with cache / iipsrv with cache, Vellum without / iipsrv without.
# Prints `name: value unit` lines (also in $OUT/results.txt). Env: DUR (20), CONCS ("4 16"), PEER (1), SCENARIOS
# ("info tile mix thumb"), VELLUM_CONFIGS ("cache nocache s3"), VELLUM_BIN_B (a second daemon measured turn about with
# the first, figures in $OUT/raw-b.txt: benchmarks/compare.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
DUR="${DUR:-20}"
CONCS="${CONCS:-4 16}"
PEER="${PEER:-1}"
OUT="${OUT_DIR:-/tmp/vellum-bench-iiif}"
SCENARIOS="${SCENARIOS:-info tile mix thumb}"
VELLUM_CONFIGS="${VELLUM_CONFIGS:-cache nocache s3}"
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/raw.txt"

PEER_SRC=../shared/peers/iiif
bash "$PEER_SRC/setup.sh" > "$OUT/peer-setup.log" 2>&1  # packages, wrk, the test image (idempotent)
# setup.sh works in a writable copy when the folder is read-only
if [ -w "$PEER_SRC" ]; then PEER_HOME="$PEER_SRC"; else PEER_HOME="${PEER_DIR:-${TMPDIR:-/tmp}/iiif-peer}"; fi
IMAGE="$PEER_HOME/data/test.jpg"

source benchmarks/lib.sh
source scripts/moto.sh
trap 'stop_server; moto_stop; rm -rf "$OUT/runs"' EXIT
build_release
declare -A BINS=([a]="$BIN") RAWS=([a]=raw.txt)
SIDES=a
if [ -n "${VELLUM_BIN_B:-}" ]; then BINS[b]=$VELLUM_BIN_B; RAWS[b]=raw-b.txt; SIDES="a b"; : > "$OUT/raw-b.txt"; fi

# Whether the daemon with data directory $1 has stored a pyramid (its row commits after its blob is stored).
has_pyramid() {
  python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=5)
sys.exit(0 if c.execute("SELECT COUNT(*) FROM file_derivatives WHERE derivative_id IS NOT NULL").fetchone()[0] else 1)' "$1/vellum.sqlite"
}

# An S3 location on moto (started by the caller) for the `s3` configuration: a new bucket each time.
s3_location() {
  local bucket="vb-iiif-$RANDOM$RANDOM"
  "${VELLUM_MOTO_ENV:-/tmp/vellum-moto}/bin/python" -c 'import boto3, sys
boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3],
    region_name="us-east-1").create_bucket(Bucket=sys.argv[4])' "$VELLUM_TEST_S3" "$VELLUM_TEST_S3_ACCESS_KEY_ID" \
    "$VELLUM_TEST_S3_SECRET_ACCESS_KEY" "$bucket"
  echo "s3://$bucket?endpoint=$VELLUM_TEST_S3&region=us-east-1"
}

peak_rss() { awk '/^VmHWM/{printf "%.1f", $2/1024}' "/proc/$1/status"; }

# What reading a tile from the pyramid in S3 with a ranged GET would cost: the median of 20 GETs of 32 KiB from the
# middle of the pyramid (of the daemon with data directory $2) in the location $1 (moto reads the whole object for each).
s3_ranged_get() {
  local pyramid
  pyramid=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT derivative_id FROM file_derivatives WHERE derivative_id IS NOT NULL").fetchone()[0].lower())' "$2/vellum.sqlite")
  "${VELLUM_MOTO_ENV:-/tmp/vellum-moto}/bin/python" - "$1" "blobs/$pyramid" <<'PY'
import boto3, os, statistics, sys, time, urllib.parse
bucket, key = urllib.parse.urlparse(sys.argv[1]).netloc, sys.argv[2]
c = boto3.client("s3", endpoint_url=os.environ["VELLUM_TEST_S3"], aws_access_key_id=os.environ["VELLUM_TEST_S3_ACCESS_KEY_ID"],
                 aws_secret_access_key=os.environ["VELLUM_TEST_S3_SECRET_ACCESS_KEY"], region_name="us-east-1")
size = c.head_object(Bucket=bucket, Key=key)["ContentLength"]
times = []
for _ in range(20):
    start = time.perf_counter()
    c.get_object(Bucket=bucket, Key=key, Range=f"bytes={size // 2}-{size // 2 + 32767}")["Body"].read()
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times) * 1000:.1f}")
PY
}

scenario_path() {
  case "$1" in
    info) echo "$2/info.json" ;;
    tile) echo "$2/2048,2048,256,256/256,/0/default.jpg" ;;
    thumb) echo "$2/full/!512,512/0/default.jpg" ;;
    mix) echo "@$OUT/tiles-$3.txt" ;;
  esac
}

# One configuration of the daemon: `cache` (default) or `nocache`. With VELLUM_BIN_B, a daemon of that binary runs
# beside the first, and every measurement is taken of both turn about (the first side first, then the other), so that
# both see the machine alike: its figures go to raw-b.txt.
bench_vellum() {
  local cfg=$1 side order s c p url urls json n=0
  local -A base prefix pid
  if [ "$cfg" = cache ]; then unset VELLUM_IIIF_CACHE_MB; else export VELLUM_IIIF_CACHE_MB=0; fi
  for side in $SIDES; do
    if [ "$cfg" = s3 ]; then
      if [ -z "$MOTO_PID" ]; then TMPDIR="$OUT" moto_start; fi
      export VELLUM_DEFAULT_LOCATION; VELLUM_DEFAULT_LOCATION=$(s3_location)
      export VELLUM_S3_ACCESS_KEY_ID="$VELLUM_TEST_S3_ACCESS_KEY_ID" VELLUM_S3_SECRET_ACCESS_KEY="$VELLUM_TEST_S3_SECRET_ACCESS_KEY"
    fi
    BIN=${BINS[$side]}; start_server
    local bucket; bucket=$(mkbucket)
    curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $TOKEN" -d '{"public": true}' "$BASE/files/$bucket"
    curl -sf -o /dev/null -X PUT -T "$IMAGE" -H "Authorization: Bearer $TOKEN" "$BASE/files/$bucket/test.jpg"
    for _ in $(seq 1 900); do has_pyramid "$DATA" && break; sleep 0.1; done
    has_pyramid "$DATA" || { echo "no pyramid after 90 s" >&2; exit 1; }
    if [ "$cfg" != s3 ]; then
      find "$DATA/default" -type f -not -path '*/.tmp/*' -not -size "$(stat -c %s "$IMAGE")c" -exec cp {} "$OUT/pyramid.tif" \;
    fi
    base[$side]=$BASE; prefix[$side]="/iiif/v2/$bucket:test.jpg"; pid[$side]=$SERVER_PID
    local t0; t0=$(date +%s%N)
    curl -sf "$BASE${prefix[$side]}/info.json" > "$OUT/info.json"
    if [ "$cfg" = s3 ]; then RAW=${RAWS[$side]} emit "vellum_s3_first_info_ms" "$(( ($(date +%s%N) - t0) / 1000000 ))" ms; fi
    python3 "$PEER_HOME/tools/gen_tiles.py" "$OUT/info.json" "${prefix[$side]}" 500 42 > "$OUT/tiles-$side.txt" 2>/dev/null
  done
  for side in $SIDES; do
    # The peak so far (upload, pyramid build, first reads), then reset (root): the serving peak is measured alone.
    RAW=${RAWS[$side]} emit "vellum_${cfg}_setup_peak_rss" "$(peak_rss "${pid[$side]}")" MiB
    echo 5 > "/proc/${pid[$side]}/clear_refs"
  done
  if [ "$cfg" = s3 ]; then RAW=raw.txt emit "vellum_s3_ranged_get_ms" "$(s3_ranged_get "$VELLUM_DEFAULT_LOCATION" "$DATA")" ms; fi
  for s in $SCENARIOS; do
    for c in $CONCS; do
      order=$SIDES
      if [ $((n++ % 2)) = 1 ]; then order=$(echo "$SIDES" | rev); fi  # turn about: a b, then b a
      for side in $order; do
        p=$(scenario_path "$s" "${prefix[$side]}" "$side")
        if [[ $p == @* ]]; then urls=${p#@}; url="${base[$side]}/"; else urls=""; url="${base[$side]}$p"; fi
        json=$(URLS_FILE="$urls" wrk -t1 -c"$c" -d"${DUR}s" --timeout 60s --latency -s "$PEER_HOME/tools/bench.lua" "$url" \
          | sed -n 's/^JSON //p')
        RAW=${RAWS[$side]}
        if [ "$side" = a ]; then
          echo "{\"config\":\"vellum-$cfg\",\"scenario\":\"$s\",\"conc\":$c,\"wrk\":$json}" >> "$OUT/results.jsonl"
        fi
        emit "vellum_${cfg}_${s}_c${c}_rps" "$(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["rps"],1) if d["err_status"]==0 else 0)')" req/s
        emit "vellum_${cfg}_${s}_c${c}_p99" "$(echo "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["p99_ms"])')" ms
      done
    done
  done
  for side in $SIDES; do
    RAW=${RAWS[$side]} emit "vellum_${cfg}_serving_peak_rss" "$(peak_rss "${pid[$side]}")" MiB
  done
  unset RAW
  stop_server
  unset VELLUM_IIIF_CACHE_MB VELLUM_DEFAULT_LOCATION VELLUM_S3_ACCESS_KEY_ID VELLUM_S3_SECRET_ACCESS_KEY
}

for cfg in $VELLUM_CONFIGS; do bench_vellum "$cfg"; done
moto_stop
cp "$OUT/raw.txt" "$OUT/results.txt"
echo "=== Vellum ($OUT/results.txt) ==="
cat "$OUT/results.txt"

if [ "$PEER" = 1 ]; then
  rm -rf "$OUT/peer-home"; cp -r "$PEER_HOME" "$OUT/peer-home"; chmod -R u+w "$OUT/peer-home"
  cp "$OUT/pyramid.tif" "$OUT/peer-home/data/test.tif"
  OUT="$OUT/peer" CONFIGS="iipsrv iipsrv-nocache" SCENARIOS="$SCENARIOS" VALIDATE=0 COLD_REPS=1 DUR="$DUR" CONCS="$CONCS" \
    bash "$OUT/peer-home/run.sh" > "$OUT/peer.log" 2>&1
  python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/results.jsonl")] + [json.loads(l) for l in open(f"{out}/peer/results.jsonl")]
fig = {(r["config"], r["scenario"], r["conc"]): r["wrk"] for r in rows}
rss = {}
for l in open(f"{out}/peer/rss.jsonl"):
    r = json.loads(l)
    rss[r["config"]] = max(rss.get(r["config"], 0), sum(p["hwm_kb"] for p in r["procs"]) / 1024)
print("=== Vellum against iipsrv (req/s, p99 ms) ===")
for mine, theirs in (("vellum-cache", "iipsrv"), ("vellum-nocache", "iipsrv-nocache"), ("vellum-s3", "iipsrv-nocache"),
                     ("vellum-s3", "vellum-nocache")):
    for (cfg, s, c), w in sorted(fig.items()):
        if cfg != mine or (theirs, s, c) not in fig:
            continue
        t = fig[(theirs, s, c)]
        print(f"{s} c={c} {mine}: {w['rps']:.0f} req/s p99 {w['p99_ms']:.1f} ms | {theirs}: {t['rps']:.0f} req/s "
              f"p99 {t['p99_ms']:.1f} ms | ratio {w['rps'] / t['rps']:.2f}x")
for cfg, kib in rss.items():
    print(f"{cfg} peak RSS (all processes): {kib:.1f} MiB")
mine = {l.split(":")[0]: float(l.split()[1]) for l in open(f"{out}/results.txt") if "_serving_peak_rss:" in l}
for name, mib in mine.items():
    for theirs, kib in rss.items():
        print(f"{name} / {theirs}: {mib / kib:.2f}x")
PY
fi

#!/usr/bin/env bash
# Release-mode IIIF benchmark: Vellum against IIPImage (Debian's iipimage-server 1.1 behind lighttpd) on the same
# 10000x8000 JPEG, with the peer's own load tool and scenarios (../shared/peers/iiif: tools/bench.lua for wrk,
# tools/gen_tiles.py for the viewer-style tile mix), back to back on this machine.
#   - Vellum: the image uploaded to a public bucket; its pyramid (built by the daemon, the same tiled JPEG TIFF the
#     peer serves) waited for; then wrk at each of CONCS connections for DUR seconds per scenario: info.json, a fixed
#     full-resolution 256-px tile, 500 tiles over all zoom levels picked at random, and `full/!512,512`; with the
#     response cache (default) and without it (VELLUM_IIIF_CACHE_MB=0). Peak RSS of the daemon after each.
#   - with PEER=1, ../shared/peers/iiif/run.sh right after (from a copy whose test.tif is the pyramid Vellum built,
#     so both serve the same pyramid TIFF), for iipsrv with its cache and without (CONFIGS="iipsrv iipsrv-nocache",
#     same scenarios), then ratios: Vellum with cache / iipsrv with cache, Vellum without / iipsrv without.
# Prints `name: value unit` lines (also in $OUT/results.txt). Env: DUR (20), CONCS ("4 16"), PEER (1), SCENARIOS
# ("info tile mix thumb"), VELLUM_CONFIGS ("cache nocache").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
DUR="${DUR:-20}"
CONCS="${CONCS:-4 16}"
PEER="${PEER:-1}"
OUT="${OUT_DIR:-/tmp/vellum-bench-iiif}"
SCENARIOS="${SCENARIOS:-info tile mix thumb}"
VELLUM_CONFIGS="${VELLUM_CONFIGS:-cache nocache}"
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/raw.txt"

PEER_SRC=../shared/peers/iiif
bash "$PEER_SRC/setup.sh" > "$OUT/peer-setup.log" 2>&1  # packages, wrk, the test image (idempotent)
# setup.sh works in a writable copy when the folder is read-only
if [ -w "$PEER_SRC" ]; then PEER_HOME="$PEER_SRC"; else PEER_HOME="${PEER_DIR:-${TMPDIR:-/tmp}/iiif-peer}"; fi
IMAGE="$PEER_HOME/data/test.jpg"

source benchmarks/lib.sh
build_release

blob_count() { find "$DATA/default" -type f -not -path '*/.tmp/*' | wc -l; }

scenario_path() {
  case "$1" in
    info) echo "$PREFIX/info.json" ;;
    tile) echo "$PREFIX/2048,2048,256,256/256,/0/default.jpg" ;;
    thumb) echo "$PREFIX/full/!512,512/0/default.jpg" ;;
    mix) echo "@$OUT/tiles.txt" ;;
  esac
}

# One configuration of the daemon: `cache` (default) or `nocache`.
bench_vellum() {
  local cfg=$1 s c p url urls json
  if [ "$cfg" = nocache ]; then export VELLUM_IIIF_CACHE_MB=0; else unset VELLUM_IIIF_CACHE_MB; fi
  start_server
  local bucket; bucket=$(mkbucket)
  curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $TOKEN" -d '{"public": true}' "$BASE/files/$bucket"
  curl -sf -o /dev/null -X PUT -T "$IMAGE" -H "Authorization: Bearer $TOKEN" "$BASE/files/$bucket/test.jpg"
  for _ in $(seq 1 600); do [ "$(blob_count)" -ge 2 ] && break; sleep 0.1; done
  [ "$(blob_count)" -ge 2 ] || { echo "no pyramid after 60 s" >&2; exit 1; }
  find "$DATA/default" -type f -not -path '*/.tmp/*' -not -size "$(stat -c %s "$IMAGE")c" -exec cp {} "$OUT/pyramid.tif" \;
  PREFIX="/iiif/v2/$bucket:test.jpg"
  curl -sf "$BASE$PREFIX/info.json" > "$OUT/info.json"
  python3 "$PEER_HOME/tools/gen_tiles.py" "$OUT/info.json" "$PREFIX" 500 42 > "$OUT/tiles.txt" 2>/dev/null
  for s in $SCENARIOS; do
    p=$(scenario_path "$s")
    if [[ $p == @* ]]; then urls=${p#@}; url="$BASE/"; else urls=""; url="$BASE$p"; fi
    for c in $CONCS; do
      json=$(URLS_FILE="$urls" wrk -t1 -c"$c" -d"${DUR}s" --timeout 60s --latency -s "$PEER_HOME/tools/bench.lua" "$url" \
        | sed -n 's/^JSON //p')
      echo "{\"config\":\"vellum-$cfg\",\"scenario\":\"$s\",\"conc\":$c,\"wrk\":$json}" >> "$OUT/results.jsonl"
      emit "vellum_${cfg}_${s}_c${c}_rps" "$(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["rps"],1) if d["err_status"]==0 else 0)')" req/s
      emit "vellum_${cfg}_${s}_c${c}_p99" "$(echo "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["p99_ms"])')" ms
    done
  done
  emit "vellum_${cfg}_peak_rss" "$(awk '/^VmHWM/{printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status")" MiB
  stop_server
  unset VELLUM_IIIF_CACHE_MB
}

for cfg in $VELLUM_CONFIGS; do bench_vellum "$cfg"; done
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
for mine, theirs in (("vellum-cache", "iipsrv"), ("vellum-nocache", "iipsrv-nocache")):
    for (cfg, s, c), w in sorted(fig.items()):
        if cfg != mine or (theirs, s, c) not in fig:
            continue
        t = fig[(theirs, s, c)]
        print(f"{s} c={c} {mine}: {w['rps']:.0f} req/s p99 {w['p99_ms']:.1f} ms | {theirs}: {t['rps']:.0f} req/s "
              f"p99 {t['p99_ms']:.1f} ms | ratio {w['rps'] / t['rps']:.2f}x")
for cfg, kib in rss.items():
    print(f"{cfg} peak RSS (all processes): {kib:.1f} MiB")
PY
fi

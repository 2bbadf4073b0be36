#!/usr/bin/env bash
# Release-mode benchmark of the PID resolver (api.md §8, issue 19) against Invenio's on the same machine, in the same
# run: requests per second resolving a recid (`GET /pid/recid/{id}`) and a DOI (`GET /doi/{doi}`), each a 302 to
# the record.
#   - Vellum: a new daemon (VELLUM_DOI_PREFIX=10.5072) with N (1,000) records created and published
#     (benchmarks/pid_targets.py), DOIs `10.5072/vellum.{id}`.
#   - Invenio: benchmarks/peers/invenio-records-rest/benchapp.py (invenio-records-rest 6.0.2, invenio-pidstore
#     4.0.2, SQLite, gunicorn with 2 sync workers, every package pinned with its hash) on a new database, N records
#     created, each with its recid and a registered DOI `10.5072/invenio.{recid}`; its /pid/recid/<id> and
#     /doi/<path:doi> routes resolve with invenio-pidstore's Resolver.
# The load is wrk (Debian's, C) with benchmarks/resolve.lua, the same for both: CONNECTIONS (8) kept-alive
# connections (Invenio's sync workers close each one after an answer, so wrk reconnects for every request there),
# paths picked at random among the N records' targets, no redirect followed, every answer checked to be a 302 with
# the expected Location; one mismatch, a socket error or a 404 fails the run. Per route: WARMUP (3) seconds
# untimed, then DURATION (10) seconds timed. Odd runs measure Vellum first, even runs Invenio first; each side's
# server runs alone.
# Figures per side and route: `_rps`, `_p50_ms`, `_p99_ms` (wrk's), `_server_cpu_us_per_req` (the server's
# processes' CPU time over the timed run / requests) and `_client_cpu_pct` (wrk's CPU time over the timed run, in
# % of one core), `_unattributed_cpu_pct` (the machine's busy time neither accounts for: other load), then
# `vellum_over_invenio_resolve_{recid,doi}_rps` (the run's Vellum rate / its Invenio rate).
# RUNS (3) runs; medians of each figure (the ratios: medians of the runs' ratios). VELLUM_BIN reuses a built daemon.
# Results in $OUT/raw.txt and $OUT/results.txt.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source scripts/setup.sh
OUT="${OUT_DIR:-/tmp/vellum-bench-pids}"
PEER_DIR="$PWD/benchmarks/peers/invenio-records-rest"
PEER_OUT="${PEER_OUT_DIR:-/tmp/invenio-records-peer}"   # its .venv (made here when missing, as its run.sh does)
RUNS="${RUNS:-3}"
N="${N:-1000}"
CONNECTIONS="${CONNECTIONS:-8}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
WORKERS="${WORKERS:-2}"
LOAD_MAX="${LOAD_MAX:-1.5}"          # wait for the 1-minute load average to drop under this before the first run
QUIET_WAIT_S="${QUIET_WAIT_S:-600}"  # ... for at most this long, then run anyway (and say so)
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/raw.txt"
source benchmarks/lib.sh

if [ -n "${VELLUM_BIN:-}" ]; then BIN="$VELLUM_BIN"; else swift build -c release --product vellum >&2; BIN=.build/release/vellum; fi
command -v wrk >/dev/null || apt-get install -y -q wrk >&2
if [ ! -x "$PEER_OUT/.venv/bin/gunicorn" ]; then
  echo "# creating $PEER_OUT/.venv" >&2
  rm -rf "$PEER_OUT/.venv"; python3 -m venv "$PEER_OUT/.venv"
  "$PEER_OUT/.venv/bin/pip" install -q --require-hashes --no-deps -r "$PEER_DIR/requirements.lock"
fi
export VELLUM_DOI_PREFIX=10.5072 PYTHONDONTWRITEBYTECODE=1
TICK=$(getconf CLK_TCK)

# --- the Invenio peer: a new database and gunicorn on a free port (as its run.sh) ------------------------------------
PEER_PID=""
stop_peer() {
  if [ -n "$PEER_PID" ] && kill -0 "$PEER_PID" 2>/dev/null; then kill -TERM "$PEER_PID"; wait "$PEER_PID" 2>/dev/null || true; fi
  PEER_PID=""
}
trap 'stop_server; stop_peer; rm -rf "$OUT/runs"' EXIT
start_peer() {
  mkdir -p "$OUT/runs"
  export BENCH_DIR; BENCH_DIR=$(mktemp -d "$OUT/runs/invenio.XXXXXX")
  (cd "$PEER_DIR" && "$PEER_OUT/.venv/bin/python" benchapp.py init) >/dev/null 2>>"$OUT/invenio.log"
  local port; port=$(free_port); BASE="http://127.0.0.1:$port"
  (cd "$PEER_DIR" && exec "$PEER_OUT/.venv/bin/gunicorn" -w "$WORKERS" -b "127.0.0.1:$port" --timeout 600 \
    --log-level warning --no-control-socket benchapp:wsgi) >>"$OUT/invenio.log" 2>&1 &
  PEER_PID=$!
  local code="" i
  for i in $(seq 1 150); do   # up when an unknown record is a 404 and all workers exist
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/records/999999999" || true)
    [ "$code" = 404 ] && [ "$(pgrep -P "$PEER_PID" | wc -l)" = "$WORKERS" ] && break
    sleep 0.2
  done
  [ "$code" = 404 ] || { echo "Invenio did not start, see $OUT/invenio.log" >&2; exit 1; }
  sleep 1   # let every worker finish importing
}

# CPU time (clock ticks) of the processes named, threads and reaped children included.
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat")))
  done
  echo "$total"
}
cpu_busy() {   # % of all CPUs busy over 2 s, from /proc/stat (everything on the machine)
  python3 - <<'PY'
import time
def rd():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(v), v[3] + v[4]
t0, i0 = rd(); time.sleep(2); t1, i1 = rd()
print(f"{100 * (1 - (i1 - i0) / max(1, t1 - t0)):.0f}")
PY
}
load1() { cut -d' ' -f1 /proc/loadavg; }
busy_ticks() { awk 'NR == 1 { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }   # user nice system irq softirq, all CPUs

# wrk over a targets file; `name: value` lines in $1.out. Fails on any mismatch or socket error.
run_wrk() {
  local out=$1 seconds=$2 targets=$3
  TIMEFORMAT='%U %S'
  { time wrk -t "$CONNECTIONS" -c "$CONNECTIONS" -d "${seconds}s" --timeout 10s -s benchmarks/resolve.lua "$BASE" -- "$targets" \
      >"$out.out" 2>"$out.err"; } 2>"$out.time"
  local mismatches errors
  mismatches=$(awk '/^mismatches:/{print $2}' "$out.out"); errors=$(awk '/^socket_errors:/{print $2}' "$out.out")
  if [ "$mismatches" != 0 ] || [ "$errors" != 0 ] || [ "$(awk '/^checked:/{print $2}' "$out.out")" = 0 ]; then
    echo "wrk against $BASE with $targets: $mismatches wrong answers, $errors socket errors" >&2
    cat "$out.out" "$out.err" >&2; exit 1
  fi
}

# One side: $1 vellum|invenio; its server must be up at $BASE with its targets in $2-{recid,doi}.tsv; $3... the
# server's processes (for their CPU time).
measure() {
  local side=$1 prefix=$2; shift 2
  local kind name before after busy_before busy_after requests seconds client
  for kind in recid doi; do
    name="${side}_resolve_${kind}"
    run_wrk "$OUT/$name-warmup" "$WARMUP" "$prefix-$kind.tsv"
    before=$(cpu_ticks "$@"); busy_before=$(busy_ticks)
    run_wrk "$OUT/$name" "$DURATION" "$prefix-$kind.tsv"
    after=$(cpu_ticks "$@"); busy_after=$(busy_ticks)
    requests=$(awk '/^requests:/{print $2}' "$OUT/$name.out")
    seconds=$(awk '/^seconds:/{print $2}' "$OUT/$name.out")
    client=$(tr ' ' + < "$OUT/$name.time")
    emit "${name}_rps" "$(awk '/^rps:/{print $2}' "$OUT/$name.out")" req/s
    emit "${name}_p50_ms" "$(awk '/^p50_ms:/{print $2}' "$OUT/$name.out")" ms
    emit "${name}_p99_ms" "$(awk '/^p99_ms:/{print $2}' "$OUT/$name.out")" ms
    emit "${name}_server_cpu_us_per_req" "$(calc "($after - $before) / $TICK * 1e6 / $requests" 1)" us
    emit "${name}_client_cpu_pct" "$(calc "($client) / $seconds * 100" 0)" %
    # The machine's busy time neither the server nor wrk accounts for: on a quiet machine, the kernel's share of
    # loopback networking (softirq) and housekeeping, a few %; much more means something else ran.
    emit "${name}_unattributed_cpu_pct" \
      "$(calc "(($busy_after - $busy_before) - ($after - $before)) / $TICK / $seconds * 100 - ($client) / $seconds * 100" 0)" %
  done
}

vellum_side() {
  start_server
  python3 benchmarks/pid_targets.py "$BASE" "$N" "$OUT/vellum" --vellum "$TOKEN"
  measure vellum "$OUT/vellum" "$SERVER_PID"
  stop_server
}

invenio_side() {
  start_peer
  python3 benchmarks/pid_targets.py "$BASE" "$N" "$OUT/invenio"
  # The master and its workers (pgrep -P lists the workers it has now; a worker replaced mid-run would be missed,
  # but the master's reaped-children fields count it once it has exited).
  measure invenio "$OUT/invenio" "$PEER_PID" $(pgrep -P "$PEER_PID")
  stop_peer
}

waited=0
while awk -v l="$(load1)" -v m="$LOAD_MAX" 'BEGIN { exit !(l >= m) }' && [ "$waited" -lt "$QUIET_WAIT_S" ]; do
  [ "$waited" = 0 ] && echo "# load average $(load1) >= $LOAD_MAX: waiting up to ${QUIET_WAIT_S}s for a quiet machine" >&2
  sleep 10; waited=$((waited + 10))
done
echo "# load average $(load1) after waiting ${waited}s; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
  | tee "$OUT/machine.txt" >&2
for run in $(seq 1 "$RUNS"); do
  echo "=== run $run/$RUNS ===" >&2
  emit background_cpu_busy_before_run "$(cpu_busy)" %
  if (( run % 2 )); then vellum_side; invenio_side; else invenio_side; vellum_side; fi
  for kind in recid doi; do
    v=$(grep "^vellum_resolve_${kind}_rps:" "$OUT/raw.txt" | tail -1 | awk '{print $2}')
    i=$(grep "^invenio_resolve_${kind}_rps:" "$OUT/raw.txt" | tail -1 | awk '{print $2}')
    emit "vellum_over_invenio_resolve_${kind}_rps" "$(calc "$v / $i" 1)" x
  done
done

echo "== medians of $RUNS runs (wrk -t $CONNECTIONS -c $CONNECTIONS, ${DURATION}s per route after ${WARMUP}s, $N records a side)"
medians | tee "$OUT/results.txt"

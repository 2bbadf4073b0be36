#!/usr/bin/env bash
# Benchmark invenio-records-rest (Invenio 3's records REST API) on this
# machine: create, get, PATCH and PUT ("publish" equivalent) of small JSON
# records with 8 concurrent clients. See README.md in this folder.
#
#   ./run.sh                  # RUNS=3 runs, medians -> $OUT_DIR/results.txt
#   RUNS=1 ./run.sh
#
# Env: RUNS (3), N (1000 records per run), CONCURRENCY (8), WORKERS (2
#      gunicorn sync workers), OUT_DIR (/tmp/invenio-records-peer: venv,
#      results, and bench/ with the SQLite database, wiped every run),
#      QUIET_WAIT_S (300: wait at most this long for other load to drop).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUNS="${RUNS:-3}"
N="${N:-1000}"
CONCURRENCY="${CONCURRENCY:-8}"
WORKERS="${WORKERS:-2}"
OUT="${OUT_DIR:-/tmp/invenio-records-peer}"
export BENCH_DIR="$OUT/bench"
export PYTHONDONTWRITEBYTECODE=1   # keep this folder clean (it may be read-only)
RESULTS="$OUT/results.txt"
RAW="$OUT/results-raw.txt"
mkdir -p "$OUT"

# --- environment (every package pinned with its sha256) ---------------------
if [ ! -x "$OUT/.venv/bin/gunicorn" ]; then
  echo "# creating $OUT/.venv" >&2
  rm -rf "$OUT/.venv"
  python3 -m venv "$OUT/.venv"
  "$OUT/.venv/bin/pip" install -q --require-hashes --no-deps -r "$HERE/requirements.lock"
fi
PY="$OUT/.venv/bin/python"
command -v curl >/dev/null || { echo "need curl (apt-get install -y curl)" >&2; exit 1; }

# --- helpers ----------------------------------------------------------------
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"          # the gunicorn master; it stops its workers
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT

start_server() {
  PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  BASE="http://127.0.0.1:$PORT"
  (cd "$HERE" && exec "$OUT/.venv/bin/gunicorn" -w "$WORKERS" -b "127.0.0.1:$PORT" \
      --timeout 600 --log-level warning --no-control-socket benchapp:wsgi) >>"$BENCH_DIR/gunicorn.log" 2>&1 &
  SERVER_PID=$!
  local code="" i
  for i in $(seq 1 150); do   # up when an unknown record is a 404 and all workers exist
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/records/999999999" || true)
    [ "$code" = 404 ] && [ "$(pgrep -P "$SERVER_PID" | wc -l)" = "$WORKERS" ] && break
    sleep 0.2
  done
  [ "$code" = 404 ] || { echo "server did not start, see $BENCH_DIR/gunicorn.log" >&2; exit 1; }
  sleep 1   # let every worker finish importing
}

cpu_busy() {   # % of all CPUs busy over 2 s, from /proc/stat (other tenants included)
  "$PY" - <<'PYEOF'
import time
def rd():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(v), v[3] + v[4]
t0, i0 = rd(); time.sleep(2); t1, i1 = rd()
print(f"{100 * (1 - (i1 - i0) / max(1, t1 - t0)):.0f}")
PYEOF
}

wait_quiet() {  # wait (at most QUIET_WAIT_S) until CPU busy < 25 %, then record it
  local busy waited=0
  busy=$(cpu_busy)
  while [ "$busy" -ge 25 ] && [ "$waited" -lt "${QUIET_WAIT_S:-300}" ]; do
    echo "# machine busy (${busy}% CPU by other processes), waiting..." >&2
    sleep 10; waited=$((waited + 12)); busy=$(cpu_busy)
  done
  echo "background_cpu_busy_before_run: $busy %" | tee -a "$RUN_FILE"
}

# --- runs -------------------------------------------------------------------
{
  echo "# invenio-records-rest benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "# host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
  echo "# $("$PY" -V), $("$PY" -m pip freeze 2>/dev/null | grep -iE '^(invenio-records-rest|invenio-records|invenio-pidstore|jsonschema|gunicorn|Flask|SQLAlchemy)==' | tr '\n' ' ')"
  echo "# gunicorn -w $WORKERS (sync), SQLite WAL on $(df -T "$OUT" | awk 'NR==2{print $2}'), N=$N records, $CONCURRENCY clients, $RUNS runs"
} > "$RAW.header"
: > "$RAW"
for r in $(seq 1 "$RUNS"); do
  echo "=== run $r/$RUNS ===" >&2
  RUN_FILE="$OUT/run$r.txt"
  rm -f "$RUN_FILE"
  rm -rf "$BENCH_DIR"; mkdir -p "$BENCH_DIR"
  wait_quiet
  (cd "$HERE" && "$PY" benchapp.py init) >/dev/null 2>>"$BENCH_DIR/init.log"
  start_server
  "$PY" "$HERE/recordbench.py" "$BASE" --n "$N" --concurrency "$CONCURRENCY" > "$BENCH_DIR/bench.txt" \
    || { cat "$BENCH_DIR/bench.txt" >&2; echo "run $r failed; server log: $BENCH_DIR/gunicorn.log" >&2; exit 1; }
  stop_server
  grep -E '^[A-Za-z0-9_]+: ' "$BENCH_DIR/bench.txt" | tee -a "$RUN_FILE"
  sed "s/^/run$r /" "$RUN_FILE" >> "$RAW"
done

{
  cat "$RAW.header"
  echo "# median of $RUNS runs (per-run values: results-raw.txt)"
  "$PY" - "$RAW" <<'EOF'
import statistics, sys
vals, units, order = {}, {}, []
for line in open(sys.argv[1]):
    run, rest = line.split(" ", 1)
    name, v = rest.split(": ", 1)
    num, unit = v.split()
    if name not in vals:
        order.append(name); vals[name] = []
    vals[name].append(float(num)); units[name] = unit
for n in order:
    m = statistics.median(vals[n])
    txt = f"{m:.0f}" if units[n] in ("count", "%") else f"{m:.2f}"
    print(f"{n}: {txt} {units[n]}")
EOF
} > "$RESULTS"
{ cat "$RAW.header"; cat "$RAW"; } > "$RAW.tmp" && mv "$RAW.tmp" "$RAW"
rm -f "$RAW.header" "$OUT"/run*.txt
echo "=== medians ($RESULTS) ===" >&2
cat "$RESULTS"

#!/usr/bin/env bash
# Vellum's fuzz harness, bounded for CI (see fuzz/README.md). Phases, each with its own exit status:
#   parsers  libFuzzer targets for the pure parsers (fuzz/parsers/run.sh), a fixed number of runs each;
#   api      schemathesis against docs/openapi.yaml on a fresh daemon, as admin and anonymously (fuzz/api_fuzz.py);
#   files    hostile keys, headers, dates, ranges and framing on the files routes, raw sockets (fuzz/files_fuzz.py).
# Exits 1 on any finding. Knobs (defaults): VELLUM_BIN (.build/debug/vellum), FUZZ_PHASES ("parsers api files"),
# FUZZ_SEED (1), FUZZ_RUNS (200000 per libFuzzer target), FUZZ_ST_EXAMPLES (150 per operation), FUZZ_ST_CHECKS (no
# 5xx and response conformance, see api_fuzz.py), FUZZ_SECONDS (60, files fuzzer), FUZZ_KEEP_ALIVE (0.15: share of
# requests followed by a GET /health on the same connection) and FUZZ_PIPELINE (0.5 of those sent at once; 0: none),
# FUZZ_VENV (/tmp/vellum-fuzz-env), FUZZ_BUILD (/tmp/vellum-fuzz, libFuzzer builds), FUZZ_WORK (logs and data
# directories; a new temporary directory, kept on failure).
set -uo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
VELLUM_BIN=$(realpath "${VELLUM_BIN:-.build/debug/vellum}")
PHASES=${FUZZ_PHASES:-parsers api files}
SEED=${FUZZ_SEED:-1}
VENV=${FUZZ_VENV:-/tmp/vellum-fuzz-env}
WORK=${FUZZ_WORK:-$(mktemp -d /tmp/vellum-fuzz-run.XXXXXX)}
mkdir -p "$WORK"
failed=()
daemon_pid=

# A PNG for the IIIF requests (made here, so nothing outside the repository is needed).
python3 - "$WORK/image.png" <<'EOF'
import struct, sys, zlib
w, h = 300, 200
rows = b"".join(b"\0" + bytes(v for x in range(w) for v in (x % 256, y % 256, (x + y) % 256)) for y in range(h))
chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
EOF

# Starts a daemon on a free port with a fresh data directory; sets URL, TOKEN, USER_TOKEN, daemon_pid, daemon_log.
start_daemon() {
  local name=$1 data="$WORK/data-$1"
  daemon_log="$WORK/daemon-$name.log"
  rm -rf "$data" && mkdir -p "$data"
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  TOKEN="fuzz-admin-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  URL="http://127.0.0.1:$port"
  env -u VELLUM_DATABASE_URL -u VELLUM_PUBLIC_URL -u VELLUM_CONFIG VELLUM_DATA_DIR="$data" VELLUM_HOST=127.0.0.1 \
    VELLUM_PORT="$port" VELLUM_BOOTSTRAP_TOKEN="$TOKEN" "$VELLUM_BIN" serve > "$daemon_log" 2>&1 < /dev/null &
  daemon_pid=$!
  for _ in $(seq 100); do
    curl -sf "$URL/health" > /dev/null 2>&1 && break
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.2
  done
  if ! curl -sf "$URL/health" > /dev/null 2>&1; then
    echo "fuzz: the daemon for $name did not start"; tail -20 "$daemon_log"; return 1
  fi
  USER_TOKEN=$(env -u VELLUM_DATABASE_URL VELLUM_DATA_DIR="$data" "$VELLUM_BIN" token create --name fuzz-user | tail -1)
}

# Stops the daemon (SIGTERM, then it drains); a daemon that already died or exits non-zero is a finding. Prints the
# daemon's warnings and errors when that or the phase ($2, its exit status) failed.
stop_daemon() {
  local name=$1 phase_status=$2 status=0
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    wait "$daemon_pid"; status=$?
    echo "fuzz: FINDING: the daemon died during $name (exit $status)"
  else
    kill -TERM "$daemon_pid"
    for _ in $(seq 150); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$daemon_pid" 2>/dev/null && echo "fuzz: FINDING: the daemon ignored SIGTERM for 30 s after $name"
    wait "$daemon_pid"; status=$?
  fi
  daemon_pid=
  local crashed=0
  if [ "$status" -ne 0 ] || grep -qE 'Fatal error|Program crashed|💣' "$daemon_log"; then crashed=1; fi
  if [ $crashed -eq 1 ] || [ "$phase_status" -ne 0 ]; then
    echo "fuzz: the daemon's log for $name, without its info lines (tail; all of it in $daemon_log):"
    grep -v ' info vellum: ' "$daemon_log" | tail -40 | cut -c1-400
  fi
  return $crashed
}

phase_parsers() {
  FUZZ_RUNS=${FUZZ_RUNS:-200000} fuzz/parsers/run.sh
}

phase_api() {
  if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q schemathesis==4.32.5 || return 1
  fi
  start_daemon api || return 1
  "$VENV/bin/python" fuzz/api_fuzz.py --url "$URL" --token "$TOKEN" --schemathesis "$VENV/bin/schemathesis" \
    --work "$WORK/schemathesis" --seed "$SEED" --examples "${FUZZ_ST_EXAMPLES:-150}" --image "$WORK/image.png"
  local status=$?
  stop_daemon api $status || status=1
  return $status
}

phase_files() {
  start_daemon files || return 1
  python3 fuzz/files_fuzz.py --url "$URL" --token "$TOKEN" --user-token "$USER_TOKEN" --seed "$SEED" \
    --seconds "${FUZZ_SECONDS:-60}" --keep-alive "${FUZZ_KEEP_ALIVE:-0.15}" --pipeline "${FUZZ_PIPELINE:-0.5}" \
    --image "$WORK/image.png"
  local status=$?
  stop_daemon files $status || status=1
  return $status
}

parsers_pid=
trap '[ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null; [ -n "$parsers_pid" ] && kill "$parsers_pid" 2>/dev/null' EXIT
# The parsers phase (libFuzzer: one process, one core, no daemon) runs beside the others, whose daemon and client
# leave much of this machine's second core idle; its output follows theirs.
if [[ " $PHASES " == *" parsers "* ]]; then
  echo "=== fuzz: parsers, beside the other phases ($((SECONDS - started)) s)"
  phase_parsers > "$WORK/parsers.log" 2>&1 &
  parsers_pid=$!
fi
for phase in $PHASES; do
  [ "$phase" = parsers ] && continue
  echo "=== fuzz: $phase ($((SECONDS - started)) s)"
  "phase_$phase" || failed+=("$phase")
done
if [ -n "$parsers_pid" ]; then
  wait "$parsers_pid" || failed+=(parsers)
  parsers_pid=
  echo "=== fuzz: parsers, finished at $((SECONDS - started)) s"
  cat "$WORK/parsers.log"
fi
echo "=== fuzz: $(( $(wc -w <<< "$PHASES") - ${#failed[@]} )) phases passed, ${#failed[@]} failed${failed:+ (${failed[*]})}, in $((SECONDS - started)) s; work directory $WORK"
if [ ${#failed[@]} -eq 0 ] && [ -z "${FUZZ_WORK:-}" ]; then rm -rf "$WORK"; fi
[ ${#failed[@]} -eq 0 ]

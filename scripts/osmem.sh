# Sourced by scripts/test.sh: the OpenSearch stand-in, PyPI's osmem-server (installed by scripts/search-oracles.sh),
# on a free port of 127.0.0.1. osmem_start exports VELLUM_TEST_OPENSEARCH_URL, which test daemons search in (each with
# an index of its own); osmem_stop stops it. To run the search tests against a real cluster instead, set
# VELLUM_TEST_OPENSEARCH_URL=http://host:port yourself and run `swift test --filter Search`.
OSMEM_PID=""

osmem_start() {
  local python port
  python="$(scripts/search-oracles.sh)"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$("$python" -c 'import osmem_server; print(osmem_server.resolve_binary())')" --addr "127.0.0.1:$port" --no-stdin-watch \
    > "${TMPDIR:-/tmp}/vellum-osmem.log" 2>&1 &
  OSMEM_PID=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  export VELLUM_TEST_OPENSEARCH_URL="http://127.0.0.1:$port"
}

osmem_stop() {
  if [ -n "$OSMEM_PID" ]; then
    kill "$OSMEM_PID" 2> /dev/null || true
    wait "$OSMEM_PID" 2> /dev/null || true
    OSMEM_PID=""
  fi
  unset VELLUM_TEST_OPENSEARCH_URL
}

# Sourced by scripts/test.sh: a throw-away PostgreSQL cluster (Debian's postgresql package) for the test suite.
# pg_start creates one in a new temporary directory, starts it on a free port of 127.0.0.1 (trust authentication;
# no fsync unless PG_FSYNC=on: tests keep nothing) and exports VELLUM_TEST_POSTGRES, a superuser URL; pg_stop stops
# and removes it (the caller sets the EXIT trap).
PG_DIR=""
PG_BIN=""

pg_start() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PG_DIR=$(mktemp -d /tmp/vellum-pg.XXXXXX)
  chown postgres "$PG_DIR"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 > "$PG_DIR/initdb.log"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
    "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=400" start > /dev/null
  export VELLUM_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
}

pg_stop() {
  if [ -n "$PG_DIR" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop > /dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}

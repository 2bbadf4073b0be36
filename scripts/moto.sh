# Sourced by scripts/test.sh: moto's S3-compatible server (PyPI `moto[server]`, in a virtual environment kept between
# runs) on a free port of 127.0.0.1, with authentication on. moto_start lets moto take its first three requests
# unauthenticated, uses them to create an IAM user allowed everything and its access key, and exports
# VELLUM_TEST_S3 (the endpoint), VELLUM_TEST_S3_ACCESS_KEY_ID and VELLUM_TEST_S3_SECRET_ACCESS_KEY; every later
# request must be signed with that key; VELLUM_TEST_MOTO is moto's server program, for tests that need a server of
# their own. moto_stop stops the server (the caller sets the EXIT trap).
MOTO_PID=""

moto_start() {
  local venv="${VELLUM_MOTO_ENV:-/tmp/vellum-moto}"
  if [ ! -x "$venv/bin/moto_server" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "moto[server]==5.1.22"
  fi
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  INITIAL_NO_AUTH_ACTION_COUNT=3 "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" > "${TMPDIR:-/tmp}/vellum-moto.log" 2>&1 &
  MOTO_PID=$!
  # Wait for the port without an HTTP request (each would use up one of the three unauthenticated ones).
  python3 -c 'import socket,sys,time
for _ in range(300):
    try: socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.1).close(); sys.exit(0)
    except OSError: time.sleep(0.1)
sys.exit(1)' "$port"
  local endpoint="http://127.0.0.1:$port" reply
  local auth="AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0"
  local policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
  curl -sf -o /dev/null -X POST "$endpoint/" -H "Authorization: $auth" -d "Action=CreateUser&UserName=vellum&Version=2010-05-08"
  curl -sf -o /dev/null -X POST "$endpoint/" -H "Authorization: $auth" --data-urlencode "PolicyDocument=$policy" \
    -d "Action=PutUserPolicy&UserName=vellum&PolicyName=all&Version=2010-05-08"
  reply=$(curl -sf -X POST "$endpoint/" -H "Authorization: $auth" -d "Action=CreateAccessKey&UserName=vellum&Version=2010-05-08")
  export VELLUM_TEST_S3="$endpoint" VELLUM_TEST_MOTO="$venv/bin/moto_server"
  export VELLUM_TEST_S3_ACCESS_KEY_ID; VELLUM_TEST_S3_ACCESS_KEY_ID=$(echo "$reply" | sed -n 's:.*<AccessKeyId>\(.*\)</AccessKeyId>.*:\1:p')
  export VELLUM_TEST_S3_SECRET_ACCESS_KEY; VELLUM_TEST_S3_SECRET_ACCESS_KEY=$(echo "$reply" | sed -n 's:.*<SecretAccessKey>\(.*\)</SecretAccessKey>.*:\1:p')
  [ -n "$VELLUM_TEST_S3_ACCESS_KEY_ID" ] && [ -n "$VELLUM_TEST_S3_SECRET_ACCESS_KEY" ] || { echo "moto: no access key" >&2; return 1; }
}

moto_stop() {
  if [ -n "$MOTO_PID" ]; then
    kill -9 "$MOTO_PID" 2> /dev/null || true  # it keeps nothing; SIGTERM may wait for requests that hang
    wait "$MOTO_PID" 2> /dev/null || true
    MOTO_PID=""
  fi
}

#!/usr/bin/env bash
# Prepares PyPI's `signposting` 0.9.9 (a FAIR Signposting client nobody on the team wrote) in a virtual environment
# kept between runs, and prints the path of its Python: tests run scripts/signposting_check.py with it
# (VELLUM_SIGNPOSTING_PYTHON). The signposting wheel is checked by SHA-256; its dependencies are pinned by version.
set -euo pipefail
ENV="${VELLUM_SIGNPOSTING_ENV:-/tmp/vellum-signposting-env}"
if ! "$ENV/bin/python" -c 'import signposting; assert signposting.__version__ == "0.9.9"' 2>/dev/null; then
  if ! dpkg -s python3-venv >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q python3-venv >&2
  fi
  rm -rf "$ENV"
  python3 -m venv "$ENV"
  mkdir -p "$ENV/wheels"
  "$ENV/bin/pip" download -q --no-deps --only-binary :all: -d "$ENV/wheels" signposting==0.9.9 >&2
  (cd "$ENV/wheels" && sha256sum --check --quiet >&2) <<'SUMS'
8e9575ddbac52a0acbec9aeaf83edeadb3a4ff512f4563ec8903f7616a38eaaa  signposting-0.9.9-py3-none-any.whl
SUMS
  "$ENV/bin/pip" install -q "$ENV/wheels/signposting-0.9.9-py3-none-any.whl" httplink==0.2.0 rfc3987==1.3.8 \
    requests==2.34.2 beautifulsoup4==4.15.0 soupsieve==4.1.4 urllib3==2.8.0 idna==3.20 certifi==2026.10.19.post1 \
    charset-normalizer==3.5.3 typing-extensions==4.16.0 >&2
fi
echo "$ENV/bin/python"

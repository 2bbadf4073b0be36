#!/usr/bin/env bash
# Prepares the IIIF manifest tests' outside reader in a virtual environment of its own, kept between runs, and prints
# the path of its Python (VELLUM_IIIF_PREZI3_PYTHON): PyPI's iiif-prezi3 3.1.1 (the IIIF community's Presentation
# API 3.0 models, on pydantic), its wheel checked by SHA-256, its dependencies pinned by version. Apart from the IIIF
# validator's environment: iiif-prezi3 needs Pillow 12.0.0 at the most.
set -euo pipefail
ENV="${VELLUM_IIIF_PREZI3_ENV:-/tmp/vellum-iiif-prezi3}"
if ! "$ENV/bin/python" -c 'import importlib.metadata as m; assert m.version("iiif-prezi3") == "3.1.1"' 2>/dev/null; then
  rm -rf "$ENV"
  python3 -m venv "$ENV"
  mkdir -p "$ENV/wheels"
  "$ENV/bin/pip" download -q --no-deps --only-binary :all: -d "$ENV/wheels" iiif-prezi3==3.1.1 >&2
  (cd "$ENV/wheels" && sha256sum --check --quiet >&2) <<'SUMS'
ed95d7b610f4374f7b2f851b1ca750f65331d61e9f33e76b7beff1ea50b571fa  iiif_prezi3-3.1.1-py3-none-any.whl
SUMS
  "$ENV/bin/pip" install -q "$ENV"/wheels/*.whl pydantic==2.14.4 pydantic_core==2.50.5 annotated-types==0.8.0 \
    typing-inspection==0.4.5 typing_extensions==4.16.0 pillow==12.0.0 requests==2.34.2 urllib3==2.8.0 idna==3.21 \
    certifi==2026.10.19.post1 charset-normalizer==3.5.3 >&2
fi
echo "$ENV/bin/python"

#!/usr/bin/env bash
# devid supports cbor2 5.6+ and cbor2 6.x (docs/architecture.md, "CBOR: cbor2 5 and 6").
# The main environment has cbor2 5 (the cwt test extra requires it); this builds a fresh
# venv with cbor2 6 (no system site packages) and runs the tests of every cbor2 consumer
# in it: CBOR, COSE, tokens, certificates, the check engine and its message captures,
# Matter, simulator units, discovery parsing. Left out: the cwt interop tests (cwt cannot
# be installed with cbor2 6) and the broker/browser-heavy end-to-end tests.
# Runs offline against the configured package index. scripts/test.sh calls it when
# CI=true or DEVID_TEST_CBOR6=1.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="$(mktemp -d "${TMPDIR:-/tmp}/devid-cbor2-6.XXXXXX")"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
  'cbor2>=6,<7' cryptography paho-mqtt zeroconf pydantic click rich ruamel.yaml jinja2 \
  asn1crypto amqtt pytest pytest-timeout hypothesis jsonschema
# devid's metadata (devid --version); a plain (not editable) install that builds outside the
# tree. The tests import the working tree itself: PYTHONPATH comes first.
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps "$PWD"

# the venv must really decode with cbor2 6, and devid must see it as such
PYTHONPATH="$PWD" "$venv/bin/python" - <<'EOF'
import importlib.metadata
import os

import cbor2

from devid import _cbor

version = importlib.metadata.version("cbor2")
assert version.split(".")[0] == "6", f"cbor2 {version} is not 6.x"
assert _cbor.FROZEN_TAGS, "devid did not detect cbor2 6's immutable tag contents"
assert _cbor.__file__.startswith(os.getcwd()), f"devid imported from {_cbor.__file__}"
print(f"cbor2 {version} from {cbor2.__file__}")
EOF

PYTHONPATH="$PWD" "$venv/bin/python" -m pytest -q -p no:cacheprovider \
  tests/test_codes.py \
  tests/core \
  tests/cose --ignore=tests/cose/test_cwt_interop.py \
  tests/token --ignore=tests/token/test_cwt_tokens.py \
  tests/certs \
  tests/check \
  tests/cli_verify \
  tests/matter \
  tests/simulator/test_fleet.py \
  tests/discovery/test_merge.py tests/discovery/test_mqtt_inventory.py \
  tests/discovery/test_parsers.py

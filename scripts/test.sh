#!/usr/bin/env bash
# The project's test command (README, "Quickstart"): lint, types, tests, benchmark smoke runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check devid simulator tests examples benchmarks
mypy
python3 -m pytest -q
# cbor2 6 (the main environment has 5): in CI, or on request
if [ "${CI:-}" = true ] || [ "${DEVID_TEST_CBOR6:-}" = 1 ]; then
  bash scripts/test-cbor2-6.sh
fi

#!/usr/bin/env bash
# The project's test command (README, "Quickstart"): lint, types, tests, benchmark smoke runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check devid simulator tests examples benchmarks
mypy
python3 -m pytest -q

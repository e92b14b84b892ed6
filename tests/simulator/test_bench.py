"""The simulator benchmark runs in smoke size and reports its figure beside the floor."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from devid._broker import find_mosquitto

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_simulator.py"


@pytest.mark.slow
def test_bench_simulator_smoke() -> None:
    if find_mosquitto() is None:
        pytest.skip("the benchmark's numbers mean something on Mosquitto only")
    proc = subprocess.run([sys.executable, str(BENCH), "--smoke"], capture_output=True, check=False,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("state messages/s"))
    sim, floor = (float(v) for v in re.findall(r"\s(\d+)\s", line + " ")[:2])
    # 20 devices at 1 state/s each: both sides keep the schedule
    assert 15 <= sim <= 25 and 15 <= floor <= 25, proc.stdout
    assert "peak RSS (MB)" in proc.stdout and "CPU" in proc.stdout
